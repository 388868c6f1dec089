set terminal svg enhanced font 'Sans,10' size 720,440 background '#ffffff'
set output 'figures/pruning-methods/fig-round-time.svg'
set xlabel 'sparsity of the round''s mask (%)'
set ylabel 'seconds per round'
set grid lc rgb '#dddddd'
set key top right box opaque
set label 99 '250 steps per round (SR 250), 2 threads' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
0.0 35.62672293186188
20.000018109643026 36.11953783035278
36.00002354253593 37.221447467803955
48.80000977920723 35.30254006385803
59.040016878187295 33.24974858760834
67.23200444772831 30.28751802444458
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'denoising'
unset output