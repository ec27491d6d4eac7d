/* pe-pdf-font.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A minimal TrueType font with two glyphs: .notdef (a box, by convention) and one empty glyph
 * that every character of the text layer uses. It is built here rather than read from
 * Tesseract's pdf.ttf because then no file has to be found at run time (Flatpak, other tessdata
 * locations), and its units (1000 per em), advance and vertical metrics are ours: PDF/A
 * validators compare the /DW width with the font program, and pdftotext derives each word's box
 * from the ascent and descent, so these numbers decide whether words land on their image boxes.
 */
#include "config.h"

#include <string.h>

#include "pe-pdf-font.h"

typedef struct
{
  GByteArray *bytes;
} Buf;

static void
put16 (Buf    *b,
       guint16 v)
{
  guint8 d[2] = { v >> 8, v & 0xff };

  g_byte_array_append (b->bytes, d, 2);
}

static void
put32 (Buf    *b,
       guint32 v)
{
  guint8 d[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

  g_byte_array_append (b->bytes, d, 4);
}

static void
put_zero (Buf   *b,
          guint  n)
{
  for (guint i = 0; i < n; i++)
    g_byte_array_append (b->bytes, (const guint8 *) "", 1);
}

static guint32
table_checksum (const guint8 *data,
                gsize         len)
{
  guint32 sum = 0;

  for (gsize i = 0; i < len; i += 4)
    {
      guint32 v = 0;

      for (gsize k = 0; k < 4; k++)
        v = (v << 8) | (i + k < len ? data[i + k] : 0);
      sum += v;
    }
  return sum;
}

static GByteArray *
make_head (void)
{
  Buf b = { g_byte_array_new () };

  put32 (&b, 0x00010000);          /* version */
  put32 (&b, 0x00010000);          /* fontRevision */
  put32 (&b, 0);                   /* checkSumAdjustment, patched below */
  put32 (&b, 0x5F0F3CF5);          /* magicNumber */
  put16 (&b, 0x000B);              /* flags: baseline at y=0, lsb at x=0, integer scaling */
  put16 (&b, PE_PDF_FONT_UNITS_PER_EM);
  put_zero (&b, 16);               /* created, modified: fixed, so the font is reproducible */
  put16 (&b, 0);                   /* xMin */
  put16 (&b, (guint16) PE_PDF_FONT_DESCENT);
  put16 (&b, PE_PDF_FONT_ADVANCE); /* xMax */
  put16 (&b, PE_PDF_FONT_ASCENT);
  put16 (&b, 0);                   /* macStyle */
  put16 (&b, 3);                   /* lowestRecPPEM */
  put16 (&b, 2);                   /* fontDirectionHint */
  put16 (&b, 0);                   /* indexToLocFormat: short */
  put16 (&b, 0);                   /* glyphDataFormat */
  return b.bytes;
}

static GByteArray *
make_hhea (void)
{
  Buf b = { g_byte_array_new () };

  put32 (&b, 0x00010000);
  put16 (&b, PE_PDF_FONT_ASCENT);
  put16 (&b, (guint16) PE_PDF_FONT_DESCENT);
  put16 (&b, 0);                   /* lineGap */
  put16 (&b, PE_PDF_FONT_ADVANCE); /* advanceWidthMax */
  put16 (&b, 0);                   /* minLeftSideBearing */
  put16 (&b, 0);                   /* minRightSideBearing */
  put16 (&b, PE_PDF_FONT_ADVANCE); /* xMaxExtent */
  put16 (&b, 1);                   /* caretSlopeRise */
  put16 (&b, 0);                   /* caretSlopeRun */
  put16 (&b, 0);                   /* caretOffset */
  put_zero (&b, 8);
  put16 (&b, 0);                   /* metricDataFormat */
  put16 (&b, 2);                   /* numberOfHMetrics */
  return b.bytes;
}

static GByteArray *
make_maxp (void)
{
  Buf b = { g_byte_array_new () };

  put32 (&b, 0x00010000);
  put16 (&b, 2);                   /* numGlyphs */
  put16 (&b, 4);                   /* maxPoints */
  put16 (&b, 1);                   /* maxContours */
  put16 (&b, 0);
  put16 (&b, 0);
  put16 (&b, 1);                   /* maxZones */
  put_zero (&b, 18);
  return b.bytes;
}

static GByteArray *
make_hmtx (void)
{
  Buf b = { g_byte_array_new () };

  put16 (&b, PE_PDF_FONT_ADVANCE);
  put16 (&b, 0);
  put16 (&b, PE_PDF_FONT_ADVANCE);
  put16 (&b, 0);
  return b.bytes;
}

static GByteArray *
make_glyf (void)
{
  Buf b = { g_byte_array_new () };

  /* glyph 0, .notdef: one closed rectangle of four on-curve points, 16-bit deltas */
  put16 (&b, 1);
  put16 (&b, 0);
  put16 (&b, 0);
  put16 (&b, PE_PDF_FONT_ADVANCE);
  put16 (&b, PE_PDF_FONT_ASCENT);
  put16 (&b, 3);                   /* endPtsOfContours */
  put16 (&b, 0);                   /* instructionLength */
  for (guint i = 0; i < 4; i++)
    g_byte_array_append (b.bytes, (const guint8 *) "\x01", 1);
  put16 (&b, 0);
  put16 (&b, 0);
  put16 (&b, PE_PDF_FONT_ADVANCE);
  put16 (&b, 0);
  put16 (&b, 0);
  put16 (&b, PE_PDF_FONT_ASCENT);
  put16 (&b, 0);
  put16 (&b, (guint16) -PE_PDF_FONT_ASCENT);
  /* glyph 1 has no outline: zero length in loca */
  return b.bytes;
}

static GByteArray *
make_loca (guint glyf_len)
{
  Buf b = { g_byte_array_new () };

  put16 (&b, 0);
  put16 (&b, glyf_len / 2);
  put16 (&b, glyf_len / 2);
  return b.bytes;
}

static GByteArray *
make_cmap (void)
{
  Buf b = { g_byte_array_new () };

  /* The PDF maps CIDs to glyphs with CIDToGIDMap, so the font's own cmap is never consulted;
   * it maps the space to glyph 1 so that strict font parsers find a usable, non-empty table. */
  put16 (&b, 0);
  put16 (&b, 1);
  put16 (&b, 3);
  put16 (&b, 1);
  put32 (&b, 12);
  put16 (&b, 4);                   /* format */
  put16 (&b, 32);                  /* length */
  put16 (&b, 0);                   /* language */
  put16 (&b, 4);                   /* segCountX2 */
  put16 (&b, 4);                   /* searchRange */
  put16 (&b, 1);                   /* entrySelector */
  put16 (&b, 0);                   /* rangeShift */
  put16 (&b, 0x0020);              /* endCode */
  put16 (&b, 0xffff);
  put16 (&b, 0);                   /* reservedPad */
  put16 (&b, 0x0020);              /* startCode */
  put16 (&b, 0xffff);
  put16 (&b, (guint16) (1 - 0x20)); /* idDelta: U+0020 → glyph 1 */
  put16 (&b, 1);
  put16 (&b, 0);                   /* idRangeOffset */
  put16 (&b, 0);
  return b.bytes;
}

static GByteArray *
make_name (void)
{
  static const struct { guint16 id; const char *str; } names[] = {
    { 1, PE_PDF_FONT_NAME },
    { 2, "Regular" },
    { 4, PE_PDF_FONT_NAME },
    { 5, "Version 1.0" },
    { 6, PE_PDF_FONT_NAME },
  };
  Buf b = { g_byte_array_new () };
  guint offset = 0;

  put16 (&b, 0);
  put16 (&b, G_N_ELEMENTS (names));
  put16 (&b, 6 + 12 * G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint len = 2 * strlen (names[i].str);

      put16 (&b, 3);               /* Windows, Unicode BMP, en-US */
      put16 (&b, 1);
      put16 (&b, 0x409);
      put16 (&b, names[i].id);
      put16 (&b, len);
      put16 (&b, offset);
      offset += len;
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    for (const char *p = names[i].str; *p != '\0'; p++)
      put16 (&b, (guchar) *p);
  return b.bytes;
}

static GByteArray *
make_os2 (void)
{
  Buf b = { g_byte_array_new () };

  put16 (&b, 3);                   /* version */
  put16 (&b, PE_PDF_FONT_ADVANCE); /* xAvgCharWidth */
  put16 (&b, 400);                 /* usWeightClass */
  put16 (&b, 5);                   /* usWidthClass */
  put16 (&b, 0);                   /* fsType: installable, embedding unrestricted */
  put_zero (&b, 20);               /* sub/superscript and strikeout metrics */
  put16 (&b, 0);                   /* sFamilyClass */
  put_zero (&b, 10);               /* panose */
  put_zero (&b, 16);               /* ulUnicodeRange1..4 */
  g_byte_array_append (b.bytes, (const guint8 *) "PEIN", 4);
  put16 (&b, 0x0040);              /* fsSelection: regular */
  put16 (&b, 0x0020);              /* usFirstCharIndex */
  put16 (&b, 0xfffd);              /* usLastCharIndex */
  put16 (&b, PE_PDF_FONT_ASCENT);  /* sTypoAscender */
  put16 (&b, (guint16) PE_PDF_FONT_DESCENT);
  put16 (&b, 0);                   /* sTypoLineGap */
  put16 (&b, PE_PDF_FONT_ASCENT);  /* usWinAscent */
  put16 (&b, -PE_PDF_FONT_DESCENT);
  put32 (&b, 1);                   /* ulCodePageRange1: Latin 1 */
  put32 (&b, 0);
  put16 (&b, PE_PDF_FONT_ASCENT / 2);  /* sxHeight */
  put16 (&b, PE_PDF_FONT_ASCENT);  /* sCapHeight */
  put16 (&b, 0);                   /* usDefaultChar */
  put16 (&b, 0x20);                /* usBreakChar */
  put16 (&b, 1);                   /* usMaxContext */
  return b.bytes;
}

static GByteArray *
make_post (void)
{
  Buf b = { g_byte_array_new () };

  put32 (&b, 0x00030000);          /* format 3: no glyph names */
  put32 (&b, 0);                   /* italicAngle */
  put16 (&b, (guint16) -100);      /* underlinePosition */
  put16 (&b, 50);                  /* underlineThickness */
  put32 (&b, 1);                   /* isFixedPitch */
  put_zero (&b, 16);
  return b.bytes;
}

static GBytes *
build_font (void)
{
  /* sorted by tag, as the table directory requires */
  struct { const char *tag; GByteArray *data; } tables[10];
  Buf b = { g_byte_array_new () };
  guint n = 0, offset, head_offset = 0;
  g_autoptr(GByteArray) glyf = make_glyf ();

  tables[n].tag = "OS/2"; tables[n++].data = make_os2 ();
  tables[n].tag = "cmap"; tables[n++].data = make_cmap ();
  tables[n].tag = "glyf"; tables[n++].data = g_byte_array_ref (glyf);
  tables[n].tag = "head"; tables[n++].data = make_head ();
  tables[n].tag = "hhea"; tables[n++].data = make_hhea ();
  tables[n].tag = "hmtx"; tables[n++].data = make_hmtx ();
  tables[n].tag = "loca"; tables[n++].data = make_loca (glyf->len);
  tables[n].tag = "maxp"; tables[n++].data = make_maxp ();
  tables[n].tag = "name"; tables[n++].data = make_name ();
  tables[n].tag = "post"; tables[n++].data = make_post ();

  put32 (&b, 0x00010000);
  put16 (&b, n);
  put16 (&b, 128);                 /* searchRange: 16 * 2^floor(log2 10) */
  put16 (&b, 3);                   /* entrySelector */
  put16 (&b, n * 16 - 128);        /* rangeShift */

  offset = 12 + 16 * n;
  for (guint i = 0; i < n; i++)
    {
      g_byte_array_append (b.bytes, (const guint8 *) tables[i].tag, 4);
      put32 (&b, table_checksum (tables[i].data->data, tables[i].data->len));
      put32 (&b, offset);
      put32 (&b, tables[i].data->len);
      if (strcmp (tables[i].tag, "head") == 0)
        head_offset = offset;
      offset += (tables[i].data->len + 3) & ~3u;
    }
  for (guint i = 0; i < n; i++)
    {
      g_byte_array_append (b.bytes, tables[i].data->data, tables[i].data->len);
      put_zero (&b, ((tables[i].data->len + 3) & ~3u) - tables[i].data->len);
      g_byte_array_unref (tables[i].data);
    }

  {
    guint32 adjust = 0xB1B0AFBA - table_checksum (b.bytes->data, b.bytes->len);
    guint8 *p = b.bytes->data + head_offset + 8;

    p[0] = adjust >> 24;
    p[1] = (adjust >> 16) & 0xff;
    p[2] = (adjust >> 8) & 0xff;
    p[3] = adjust & 0xff;
  }

  return g_byte_array_free_to_bytes (b.bytes);
}

GBytes *
_pe_pdf_font_get_glyphless (void)
{
  static GBytes *font;

  if (g_once_init_enter (&font))
    g_once_init_leave (&font, build_font ());

  return g_bytes_ref (font);
}
