set terminal svg enhanced font 'Sans,10' size 860,440 background '#ffffff'
set output 'fig-rewinding.svg'
set xlabel 'sparsity (%)'
set ylabel 'PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key top right box opaque
set label 99 '64x64 crop of astronaut, σ 25, 250 steps, seed 42' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
20.000018109643023 23.833920534707435
36.00002354253593 24.023999835320925
EOD

$s1 << EOD
20.000018109643023 26.37286607673927
36.00002354253593 24.265380768009873
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'rewind to θ0 (LIP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'late rewinding to step 25', \
     23.78540386527254 with lines lw 1.5 dt 3 lc rgb '#444444' title 'dense DIP'
unset output