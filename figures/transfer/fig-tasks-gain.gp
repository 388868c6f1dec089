set terminal pngcairo enhanced font 'Sans,10' size 1000,420
set output 'fig-tasks-gain.png'
set ylabel 'dB over random on the target'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set key top left box opaque
set xtics rotate by -20
set yrange [-0.16442119257351942:0.8560326273364716]
$bars << EOD
"denoising (astronaut)" -0.04667652104544354 -0.04667652104544354
"inpainting (chelsea)" 0.19671905212683546 0.7382879558083957
EOD
plot $bars using 2:xtic(1) lc rgb '#0072B2' title 'ticket found on denoising (astronaut)', \
     $bars using 3:xtic(1) lc rgb '#D55E00' title 'each target''s own ticket (found on it)', \
     $bars using ($0 + -0.16666666666666666):($2 >= 0 ? $2 : NaN):(sprintf('%+.2f', $2)) with labels offset 0,0.7 font ',8' notitle, \
     $bars using ($0 + -0.16666666666666666):($2 < 0 ? $2 : NaN):(sprintf('%+.2f', $2)) with labels offset 0,-0.7 font ',8' notitle, \
     $bars using ($0 + 0.16666666666666666):($3 >= 0 ? $3 : NaN):(sprintf('%+.2f', $3)) with labels offset 0,0.7 font ',8' notitle, \
     $bars using ($0 + 0.16666666666666666):($3 < 0 ? $3 : NaN):(sprintf('%+.2f', $3)) with labels offset 0,-0.7 font ',8' notitle
unset output