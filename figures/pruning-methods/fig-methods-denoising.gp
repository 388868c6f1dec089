set terminal svg enhanced font 'Sans,10' size 900,440 background '#ffffff'
set output 'fig-methods-denoising.svg'
set xlabel 'sparsity of the convolution weights (%)'
set ylabel 'PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key outside right top box opaque
set label 99 '64x64 crop of astronaut, σ 25, 250 steps, seed 42, 1 seed' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
36.00002354253593 24.023999835320925
73.78561261300418 24.246066998651173
EOD

$s1 << EOD
36.00002354253593 23.470050862117713
73.78561261300418 23.270625251564493
EOD

$s2 << EOD
73.78561261300418 23.836459647263858
EOD

$s3 << EOD
73.78561261300418 24.356185659465037
EOD

$s4 << EOD
73.78561261300418 13.30676926672627
EOD

$s5 << EOD
73.78561261300418 22.879361698899334
EOD

$s6 << EOD
73.78561261300418 21.368109275014312
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'IMP (LIP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'random', \
     $s2 using 1:2 with linespoints pt 9 ps 0.8 lw 2 lc rgb '#009E73' title 'random, IMP''s layer sparsities', \
     $s3 using 1:2 with linespoints pt 10 ps 0.8 lw 2 lc rgb '#CC79A7' title 'one-shot magnitude', \
     $s4 using 1:2 with linespoints pt 11 ps 0.8 lw 2 lc rgb '#E69F00' title 'SNIP', \
     $s5 using 1:2 with linespoints pt 12 ps 0.8 lw 2 lc rgb '#56B4E9' title 'GraSP', \
     $s6 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#000000' title 'SynFlow', \
     23.78540386527254 with lines lw 1.5 dt 3 lc rgb '#444444' title 'dense DIP'
unset output