set terminal svg enhanced font 'Sans,10' size 1100,1000 background '#ffffff'
set output 'fig-grid.svg'
set multiplot layout 4,5 title '64x64 crops, seed 42'
unset border
unset tics
unset key
set size ratio -1
set lmargin 0.5
set rmargin 0.5
set tmargin 0.5
set bmargin 2.4
set xlabel 'inpainting: input 16.17' offset 0,0.2 font ',9'
plot '.fig-grid-data/r0c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense 27.91' offset 0,0.2 font ',9'
plot '.fig-grid-data/r0c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '36.0% 28.13' offset 0,0.2 font ',9'
plot '.fig-grid-data/r0c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0% 28.57' offset 0,0.2 font ',9'
plot '.fig-grid-data/r0c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '73.8% 28.54' offset 0,0.2 font ',9'
plot '.fig-grid-data/r0c4.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'sr-x4: input 29.73' offset 0,0.2 font ',9'
plot '.fig-grid-data/r1c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense 35.06' offset 0,0.2 font ',9'
plot '.fig-grid-data/r1c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '36.0% 34.50' offset 0,0.2 font ',9'
plot '.fig-grid-data/r1c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0% 35.64' offset 0,0.2 font ',9'
plot '.fig-grid-data/r1c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '73.8% 35.02' offset 0,0.2 font ',9'
plot '.fig-grid-data/r1c4.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'sr-x8: input 22.94' offset 0,0.2 font ',9'
plot '.fig-grid-data/r2c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense 29.07' offset 0,0.2 font ',9'
plot '.fig-grid-data/r2c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '36.0% 28.23' offset 0,0.2 font ',9'
plot '.fig-grid-data/r2c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0% 28.52' offset 0,0.2 font ',9'
plot '.fig-grid-data/r2c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '73.8% 30.00' offset 0,0.2 font ',9'
plot '.fig-grid-data/r2c4.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'denoising: input 21.26' offset 0,0.2 font ',9'
plot '.fig-grid-data/r3c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense 23.79' offset 0,0.2 font ',9'
plot '.fig-grid-data/r3c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '36.0% 24.02' offset 0,0.2 font ',9'
plot '.fig-grid-data/r3c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0% 24.04' offset 0,0.2 font ',9'
plot '.fig-grid-data/r3c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '73.8% 24.25' offset 0,0.2 font ',9'
plot '.fig-grid-data/r3c4.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
unset multiplot
unset output