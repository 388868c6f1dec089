set terminal pngcairo enhanced font 'Sans,10' size 720,560
set output 'fig-filmstrip.png'
set multiplot layout 4,4
unset border
unset tics
unset key
set size ratio -1
set lmargin 0.5
set rmargin 0.5
set tmargin 0.5
set bmargin 2.4
set xlabel 'image: step 25' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r0c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'step 100' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r0c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'step 400' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r0c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'target' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r0c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'image + noise: step 25' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r1c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'step 100' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r1c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'step 400' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r1c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'target' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r1c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'shuffled: step 25' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r2c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'step 100' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r2c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'step 400' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r2c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'target' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r2c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'noise: step 25' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r3c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'step 100' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r3c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'step 400' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r3c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'target' offset 0,0.2 font ',9'
plot 'fig-filmstrip-data/r3c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
unset multiplot
unset output