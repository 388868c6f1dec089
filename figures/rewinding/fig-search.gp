set terminal svg enhanced font 'Sans,10' size 720,440 background '#ffffff'
set output 'fig-search.svg'
set xlabel 'sparsity of the round''s mask (%)'
set ylabel 'search PSNR (dB)'
set grid lc rgb '#dddddd'
set key bottom right box opaque
set label 99 '64x64 crop of astronaut, σ 25, 250 steps, seed 42' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
0.0 24.666882631820783
20.000018109643026 24.42412573580107
36.00002354253593 25.456827472588618
48.80000977920723 25.269584904692508
59.040016878187295 25.731473811281536
67.23200444772831 25.025192903002402
EOD

$s1 << EOD
0.0 24.666882631820783
20.000018109643026 24.908501425425754
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'rewind to θ0 (LIP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'late rewinding to step 25'
unset output