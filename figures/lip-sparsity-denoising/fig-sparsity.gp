set terminal svg enhanced font 'Sans,10' size 900,440 background '#ffffff'
set output '/work/main/figures/lip-sparsity-denoising/fig-sparsity.svg'
set xlabel 'sparsity of the convolution weights (%)'
set ylabel 'PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key outside right top box opaque
set label 99 '64x64 crop, 300 steps, seed 42' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
0.0 25.23733485278347
36.00002354253593 25.100143488459416
59.040016878187295 25.473626811727872
73.78561261300418 25.54710329542106
EOD

$s1 << EOD
0.0 25.23733485278347
36.00002354253593 24.86588443978193
59.040016878187295 24.96780433002245
73.78561261300418 24.84160691869802
EOD

$s2 << EOD
0.0 25.23733485278347
36.00002354253593 25.58377842167156
59.040016878187295 25.010677454583373
73.78561261300418 25.442548715743772
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'IMP (LIP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'random', \
     $s2 using 1:2 with linespoints pt 9 ps 0.8 lw 2 lc rgb '#009E73' title 'random, IMP''s layer sparsities', \
     25.23733485278347 with lines lw 1.5 dt 3 lc rgb '#444444' title 'dense DIP'
unset output