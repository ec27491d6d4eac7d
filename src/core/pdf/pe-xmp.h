/* pe-xmp.h: the XMP packet and dates of a PDF/A document (private to the pdf stage)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "pe-pdfa-writer.h"

G_BEGIN_DECLS

/* Posteingang's own XMP schema, declared in every packet with a pdfaExtension description. */
#define PE_XMP_NAMESPACE "https://posteingang.de/ns/1.0/"
#define PE_XMP_PREFIX    "pe"

/* "2026-01-28T09:30:00+01:00" */
char  *_pe_xmp_format_date      (GDateTime            *date);
/* "D:20260128093000+01'00'", the same instant (PDF/A wants Info and XMP in sync) */
char  *_pe_pdf_format_date      (GDateTime            *date);
/* A date as XMP accepts it ("2026-01-28", or a date-time) from ISO 8601 or "28.01.2026";
 * NULL if @str is no date. */
char  *_pe_xmp_normalize_date   (const char           *str);
/* RFC 3066 language tags ("de", "en") from Tesseract's "deu+eng". */
GStrv  _pe_xmp_languages        (const char           *tesseract_languages);
/* @str as valid UTF-8 without the control characters XML cannot carry, so that the Info
 * dictionary holds exactly what the XMP packet holds; NULL for NULL or empty. */
char  *_pe_xmp_clean_text       (const char           *str);
char  *_pe_xmp_packet_new       (PePdfaLevel           level,
                                 const PePdfMetadata  *metadata,
                                 GDateTime            *created,
                                 GDateTime            *modified,
                                 const char           *producer);

G_END_DECLS
