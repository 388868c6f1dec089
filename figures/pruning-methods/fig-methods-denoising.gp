set terminal pngcairo enhanced font 'Sans,10' size 900,440
set output 'fig-methods-denoising.png'
set xlabel 'sparsity of the convolution weights (%)'
set ylabel 'PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key outside right top box opaque
set label 99 '64x64 crop of astronaut, σ 25, 800 steps, seed 42, 3 seeds' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
59.040016878187295 27.701167119411792 0.2206852441162523
EOD

$s1 << EOD
59.040016878187295 27.747843640457234 0.14399664296107167
EOD

$s2 << EOD
59.040016878187295 27.85617401375571 0.2180999452853365
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'IMP (LIP)', \
     $s0 using 1:2:3 with yerrorbars lc rgb '#0072B2' pt -1 notitle, \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'random', \
     $s1 using 1:2:3 with yerrorbars lc rgb '#D55E00' pt -1 notitle, \
     $s2 using 1:2 with linespoints pt 9 ps 0.8 lw 2 lc rgb '#009E73' title 'random, IMP''s layer sparsities', \
     $s2 using 1:2:3 with yerrorbars lc rgb '#009E73' pt -1 notitle, \
     28.0192245936162 with lines lw 1.5 dt 3 lc rgb '#444444' title 'dense DIP'
unset output