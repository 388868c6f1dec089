set terminal pngcairo enhanced font 'Sans,10' size 1000,420
set output 'fig-images-gain.png'
set ylabel 'dB over random on the target'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set key top left box opaque
set xtics rotate by -20
set yrange [-0.14667652104544354:0.20490631919497537]
$bars << EOD
"astronaut" -0.04667652104544354 -0.04667652104544354
"camera" -0.04381135929228227 0.10490631919497535
EOD
plot $bars using 2:xtic(1) lc rgb '#0072B2' title 'ticket found on astronaut', \
     $bars using 3:xtic(1) lc rgb '#D55E00' title 'each target''s own ticket (found on it)', \
     $bars using ($0 + -0.16666666666666666):($2 >= 0 ? $2 : NaN):(sprintf('%+.2f', $2)) with labels offset 0,0.7 font ',8' notitle, \
     $bars using ($0 + -0.16666666666666666):($2 < 0 ? $2 : NaN):(sprintf('%+.2f', $2)) with labels offset 0,-0.7 font ',8' notitle, \
     $bars using ($0 + 0.16666666666666666):($3 >= 0 ? $3 : NaN):(sprintf('%+.2f', $3)) with labels offset 0,0.7 font ',8' notitle, \
     $bars using ($0 + 0.16666666666666666):($3 < 0 ? $3 : NaN):(sprintf('%+.2f', $3)) with labels offset 0,-0.7 font ',8' notitle
unset output