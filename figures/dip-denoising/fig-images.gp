set terminal pngcairo enhanced font 'Sans,10' size 720,300
set output 'fig-images.png'
set multiplot layout 1,3
unset border
unset tics
unset key
set size ratio -1
set lmargin 0.5
set rmargin 0.5
set tmargin 0.5
set bmargin 2.4
set xlabel 'clean' offset 0,0.2 font ',9'
plot 'fig-images-data/r0c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'noisy · 21.26 dB' offset 0,0.2 font ',9'
plot 'fig-images-data/r0c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'DIP (EMA) · 27.02 dB' offset 0,0.2 font ',9'
plot 'fig-images-data/r0c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
unset multiplot
unset output