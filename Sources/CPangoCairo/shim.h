// Pango (text layout, CJK shaping through HarfBuzz and fontconfig) on Cairo (PDF surfaces).
#include <pango/pangocairo.h>
#include <cairo-pdf.h>
