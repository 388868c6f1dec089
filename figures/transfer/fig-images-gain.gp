set terminal pngcairo enhanced font 'Sans,10' size 1000,420
set output 'fig-images-gain.png'
set ylabel 'dB over random, denoised image (target)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set key top left box opaque
set xtics rotate by -20
set yrange [-0.14667652104544354:0.1]
$bars << EOD
"astronaut" -0.04667652104544354
"camera" -0.04381135929228227
EOD
plot $bars using 2:xtic(1) lc rgb '#0072B2' title 'ticket found on astronaut'
unset output