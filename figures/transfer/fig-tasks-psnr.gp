set terminal svg enhanced font 'Sans,10' size 1000,420 background '#ffffff'
set output 'fig-tasks-psnr.svg'
set ylabel 'dB, trained on (target)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set key top left box opaque
set xtics rotate by -20
set yrange [0.0:39.855395531167005]
$bars << EOD
"denoising" 24.03527379813545
"inpainting" 28.435052645769545
"sr-x4" 34.656865679275654
EOD
plot $bars using 2:xtic(1) lc rgb '#0072B2' title 'ticket found on denoising'
unset output