set terminal svg enhanced font 'Sans,10' size 720,440 background '#ffffff'
set output 'fig-round-time.svg'
set xlabel 'sparsity of the round''s mask (%)'
set ylabel 'seconds per round'
set grid lc rgb '#dddddd'
set key top right box opaque
set label 99 '250 steps per round (SR 250), 2 threads' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
0.0 34.56326603889465
20.000018109643026 35.63122045993805
36.00002354253593 34.23479890823364
48.80000977920723 34.81806242465973
59.040016878187295 31.599682211875916
67.23200444772831 28.336443662643433
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'denoising'
unset output