set terminal pngcairo enhanced font 'Sans,10' size 1000,420
set output 'fig-images-psnr.png'
set ylabel 'dB, denoised image (target)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set key top left box opaque
set xtics rotate by -20
set yrange [0.0:34.348054252726875]
$bars << EOD
"astronaut" 27.701167119411792
"camera" 29.867873263240764
EOD
plot $bars using 2:xtic(1) lc rgb '#0072B2' title 'ticket found on astronaut'
unset output