set terminal svg enhanced font 'Sans,10' size 1000,420 background '#ffffff'
set output 'figures/transfer/fig-tasks-psnr.svg'
set xlabel 'trained on (target)'
set ylabel 'ticket found on (source)'
set cblabel 'dB'
set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')
set xrange [-0.5:2.5]
set yrange [0.5:-0.5]
set xtics ('denoising' 0, 'inpainting' 1, 'sr-x4' 2)
set ytics ('denoising' 0)
set tics scale 0
$cells << EOD
0.0 0.0 24.03527379813545
1.0 0.0 28.37536332657458
2.0 0.0 34.656865679275654
EOD

plot $cells using 1:2:3 with image notitle, \
     $cells using 1:2:(sprintf('%.2f', $3)):($3 > 29.346069738705552 ? 0xffffff : 0x000000) with labels tc rgb variable font ',9' notitle
unset output