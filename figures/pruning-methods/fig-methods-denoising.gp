set terminal pngcairo enhanced font 'Sans,10' size 900,440
set output 'fig-methods-denoising.png'
set xlabel 'sparsity of the convolution weights (%)'
set ylabel 'PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key outside right top box opaque
set label 99 '64x64 crop of astronaut, σ 25, 800 steps, seed 42, 3 seeds' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
59.040016878187295 27.72666948322274 0.06358852710853119
EOD

$s1 << EOD
59.040016878187295 27.726323866347084 0.13010130766918995
EOD

$s2 << EOD
59.040016878187295 27.85673218149701 0.23905869404589536
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'IMP (LIP)', \
     $s0 using 1:2:3 with yerrorbars lc rgb '#0072B2' pt -1 notitle, \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'random', \
     $s1 using 1:2:3 with yerrorbars lc rgb '#D55E00' pt -1 notitle, \
     $s2 using 1:2 with linespoints pt 9 ps 0.8 lw 2 lc rgb '#009E73' title 'random, IMP''s layer sparsities', \
     $s2 using 1:2:3 with yerrorbars lc rgb '#009E73' pt -1 notitle, \
     28.04158464699812 with lines lw 1.5 dt 3 lc rgb '#444444' title 'dense DIP'
unset output