set terminal svg enhanced font 'Sans,10' size 1000,420 background '#ffffff'
set output 'figures/transfer/fig-images-psnr.svg'
set xlabel 'denoised image (target)'
set ylabel 'ticket found on (source)'
set cblabel 'dB'
set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')
set xrange [-0.5:1.5]
set yrange [0.5:-0.5]
set xtics ('astronaut' 0, 'camera' 1)
set ytics ('astronaut' 0)
set tics scale 0
$cells << EOD
0.0 0.0 24.03527379813545
1.0 0.0 26.0519013237327
EOD

plot $cells using 1:2:3 with image notitle, \
     $cells using 1:2:(sprintf('%.2f', $3)):($3 > 25.043587560934075 ? 0xffffff : 0x000000) with labels tc rgb variable font ',9' notitle
unset output