/* pe-pdf-output.h: buffered PDF byte sink with offset tracking (private to the pdf stage)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PePdfOutput PePdfOutput;

PePdfOutput *_pe_pdf_output_new        (int          fd);
void         _pe_pdf_output_free       (PePdfOutput *self);
void         _pe_pdf_output_write      (PePdfOutput *self,
                                        const void  *data,
                                        gsize        len);
void         _pe_pdf_output_puts       (PePdfOutput *self,
                                        const char  *str);
void         _pe_pdf_output_printf     (PePdfOutput *self,
                                        const char  *format,
                                        ...) G_GNUC_PRINTF (2, 3);
/* Writes @value as a PDF real: at most @decimals digits after the point, no exponent, no
 * trailing zeros, independent of the locale. */
void         _pe_pdf_output_real       (PePdfOutput *self,
                                        double       value,
                                        int          decimals);
/* A text string: literal (escaped) for ASCII, UTF-16BE hex with BOM otherwise. */
void         _pe_pdf_output_text       (PePdfOutput *self,
                                        const char  *utf8);
void         _pe_pdf_output_hex        (PePdfOutput *self,
                                        const guint8 *data,
                                        gsize        len);
guint64      _pe_pdf_output_tell       (PePdfOutput *self);
gboolean     _pe_pdf_output_flush      (PePdfOutput *self);
/* First errno seen by a write or flush, 0 while everything went to the file. */
int          _pe_pdf_output_get_errno  (PePdfOutput *self);

/* Same formatting as _pe_pdf_output_real() into a GString (content streams). */
void         _pe_pdf_string_append_real (GString    *str,
                                         double      value,
                                         int         decimals);

G_END_DECLS
