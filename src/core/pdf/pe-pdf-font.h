/* pe-pdf-font.h: the glyphless TrueType font of the invisible text layer (private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Metrics of the generated font, in its own units (1000 per em, so PDF glyph space too).
 * Every CID maps to glyph 1, which is empty and PE_PDF_FONT_ADVANCE wide. The text layer and
 * the /DW, /Ascent and /Descent entries are computed from these, which keeps the font program
 * and the PDF dictionaries consistent by construction. */
#define PE_PDF_FONT_UNITS_PER_EM 1000
#define PE_PDF_FONT_ADVANCE      500
#define PE_PDF_FONT_ASCENT       800
#define PE_PDF_FONT_DESCENT      (-200)
#define PE_PDF_FONT_NAME         "GlyphLessFont"

GBytes *_pe_pdf_font_get_glyphless (void);

G_END_DECLS
