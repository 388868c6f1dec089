set terminal pngcairo enhanced font 'Sans,10' size 1000,420
set output 'fig-tasks-psnr.png'
set ylabel 'dB, trained on (target)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set key top left box opaque
set xtics rotate by -20
set yrange [0.0:37.54197541863921]
$bars << EOD
"denoising" 27.701167119411792
"inpainting" 32.64519601620801
EOD
plot $bars using 2:xtic(1) lc rgb '#0072B2' title 'ticket found on denoising'
unset output