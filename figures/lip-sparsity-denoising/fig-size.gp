set terminal svg enhanced font 'Sans,10' size 720,440 background '#ffffff'
set output '/work/main/figures/lip-sparsity-denoising/fig-size.svg'
set xlabel 'trainable parameters'
set ylabel 'PSNR (dB), best over steps'
set grid lc rgb '#dddddd'
set key bottom right box opaque
set logscale x
set label 99 '64x64 crop, 300 steps, seed 42' at graph 0.01, graph 0.97 left font ',8' tc rgb '#555555'
$s0 << EOD
2217831.0 25.23733485278347
1422674.0 25.100143488459416
913774.0 25.473626811727872
588078.0 25.54710329542106
EOD

$s1 << EOD
2217831.0 25.23733485278347
1422674.0 24.86588443978193
913774.0 24.96780433002245
588078.0 24.84160691869802
EOD

$s2 << EOD
25536.0 22.24079876934365
100224.0 21.710510039947508
588744.0 21.78452953450495
EOD

plot $s0 using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb '#0072B2' title 'IMP (LIP)', \
     $s1 using 1:2 with linespoints pt 8 ps 0.8 lw 2 lc rgb '#D55E00' title 'random', \
     $s2 using 1:2 with points pt 9 ps 0.8 lw 2 lc rgb '#009E73' title 'deep decoder'
unset output