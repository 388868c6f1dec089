set terminal svg enhanced font 'Sans,10' size 1000,420 background '#ffffff'
set output 'fig-tasks-gain.svg'
set ylabel 'dB over random, trained on (target)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set key top left box opaque
set xtics rotate by -20
set yrange [-0.3882124862920932:0.7559389550276052]
$bars << EOD
"denoising" 0.6239214810291784
"inpainting" 0.48725090716292385
"sr-x4" -0.2561950122936665
EOD
plot $bars using 2:xtic(1) lc rgb '#0072B2' title 'ticket found on denoising'
unset output