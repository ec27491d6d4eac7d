/* test-image-read.c: pe_store_read_image() gives what pixRead() gives, and rejects damage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <setjmp.h>
#include <string.h>
#include <glib/gstdio.h>
#include <libdeflate.h>
#include <png.h>

#include "pe-error.h"
#include "pe-image-read.h"
#include "pe-image-write.h"
#include "pe-test-common.h"

static char *tmpdir;

/* --- comparing ---------------------------------------------------------------------------- */

static void
assert_pix_identical (PIX *expected,
                      PIX *got)
{
  l_int32 same = 0;

  g_assert_cmpint (pixGetWidth (got), ==, pixGetWidth (expected));
  g_assert_cmpint (pixGetHeight (got), ==, pixGetHeight (expected));
  g_assert_cmpint (pixGetDepth (got), ==, pixGetDepth (expected));
  g_assert_cmpint (pixGetSpp (got), ==, pixGetSpp (expected));
  g_assert_cmpint (pixGetWpl (got), ==, pixGetWpl (expected));
  g_assert_cmpint (pixGetXRes (got), ==, pixGetXRes (expected));
  g_assert_cmpint (pixGetYRes (got), ==, pixGetYRes (expected));
  g_assert_cmpint (pixGetInputFormat (got), ==, pixGetInputFormat (expected));
  g_assert_cmpstr (pixGetText (got), ==, pixGetText (expected));
  g_assert_true ((pixGetColormap (got) == NULL) == (pixGetColormap (expected) == NULL));
  g_assert_cmpint (pixEqual (expected, got, &same), ==, 0);
  g_assert_true (same);
  /* pixEqual() skips pad bits and the alpha byte of RGB; the bytes are the same too. */
  g_assert_cmpint (memcmp (pixGetData (expected), pixGetData (got),
                           4 * (gsize) pixGetWpl (got) * pixGetHeight (got)), ==, 0);
}

/* @path (PNG or PNM) read by pe_store_read_image() equals pixRead()'s result; with @fast, the
 * readers of our own decode it (not pixRead()), else they leave the file to pixRead(). */
static void
assert_same_as_pixread (const char *path,
                        gboolean    fast)
{
  g_autoptr(PIX) expected = pixRead (path);
  g_autoptr(PIX) got = NULL;
  g_autoptr(PIX) direct = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree guint8 *data = NULL;
  gboolean unsupported = FALSE;
  gsize len = 0;

  g_assert_nonnull (expected);
  got = pe_store_read_image (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  assert_pix_identical (expected, got);

  /* With the 32 bytes after the file that the PNM reader may read. */
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  data = g_malloc0 (len + 32);
  memcpy (data, contents, len);
  direct = _pe_store_decode (data, len, path, &unsupported, &error);
  g_assert_no_error (error);
  if (fast)
    {
      g_assert_false (unsupported);
      g_assert_nonnull (direct);
      assert_pix_identical (expected, direct);
    }
  else
    {
      g_assert_true (unsupported);
      g_assert_null (direct);
    }
}

static void
write_bytes (const char   *path,
             const guint8 *bytes,
             gsize         len)
{
  /* Without fsync: the damage test writes thousands of files. */
  g_assert_true (g_file_set_contents_full (path, (const char *) bytes, len,
                                           G_FILE_SET_CONTENTS_NONE, 0644, NULL));
}

static void
assert_corrupt_bytes (const guint8 *bytes,
                      gsize         len)
{
  g_autofree char *path = g_build_filename (tmpdir, "damaged.png", NULL);
  g_autofree guint8 *copy = g_memdup2 (bytes, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(PIX) pix = NULL;
  gboolean unsupported = FALSE;

  write_bytes (path, bytes, len);
  pix = pe_store_read_image (path, &error);
  g_assert_null (pix);
  g_assert_error (error, PE_ERROR, PE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  if (len >= 8 && memcmp (bytes, "\x89PNG\r\n\x1a\n", 8) == 0)
    {
      pix = _pe_store_decode (copy, len, "damaged.png", &unsupported, &error);
      g_assert_null (pix);
      g_assert_false (unsupported);
      g_assert_error (error, PE_ERROR, PE_ERROR_CORRUPT);
    }
}

/* --- PNG files written by libpng --------------------------------------------------------- */

typedef struct
{
  guint32     width;
  guint32     height;
  int         bit_depth;
  int         color_type;
  int         interlace;
  int         filters;      /* PNG_FILTER_*, 0 for libpng's choice */
  gsize       idat_size;    /* 0 for libpng's */
  int         phys_unit;    /* -1: no pHYs */
  guint32     phys_ppu;
  gboolean    trns;
  const char *text;
  gboolean    ztxt;
} PngSpec;

static void
png_fail (png_structp png,
          png_const_charp message)
{
  g_error ("libpng: %s", message);
}

/* Content that makes each filter choose among a, b and c: gradients, edges and noise. */
static guint8
sample_byte (guint32 x,
             guint32 y,
             guint   channel)
{
  guint32 h = (x * 2654435761u) ^ (y * 2246822519u) ^ (channel * 3266489917u);

  h ^= h >> 15;
  switch ((x / 5 + y / 3) % 4)
    {
    case 0:
      return (guint8) (x * 3 + y * 7 + channel * 50);
    case 1:
      return (guint8) h;
    case 2:
      return (x + y) % 9 < 4 ? 0 : 255;
    default:
      return (guint8) (200 - x + (h & 15));
    }
}

static char *
write_png (const char    *name,
           const PngSpec *spec)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  png_structp png;
  png_infop info;
  int channels;
  gsize rowbytes;
  g_autofree guint8 *pixels = NULL;
  g_autofree png_bytep *rows = NULL;
  FILE *fp;

  switch (spec->color_type)
    {
    case PNG_COLOR_TYPE_RGB:
      channels = 3;
      break;
    case PNG_COLOR_TYPE_RGB_ALPHA:
      channels = 4;
      break;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      channels = 2;
      break;
    default:
      channels = 1;
    }
  rowbytes = ((gsize) spec->width * channels * spec->bit_depth + 7) / 8;
  pixels = g_malloc (rowbytes * spec->height);
  rows = g_new (png_bytep, spec->height);
  for (guint32 y = 0; y < spec->height; y++)
    {
      rows[y] = pixels + y * rowbytes;
      for (gsize i = 0; i < rowbytes; i++)
        rows[y][i] = sample_byte (i / channels, y, i % channels);
      /* Palette indices must exist; the pad bits of 1-bit rows are left as they come. */
      if (spec->color_type == PNG_COLOR_TYPE_PALETTE && spec->bit_depth == 8)
        for (gsize i = 0; i < rowbytes; i++)
          rows[y][i] %= 16;
    }

  fp = g_fopen (path, "wb");
  g_assert_nonnull (fp);
  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, png_fail, NULL);
  info = png_create_info_struct (png);
  png_init_io (png, fp);
  png_set_IHDR (png, info, spec->width, spec->height, spec->bit_depth, spec->color_type,
                spec->interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (spec->color_type == PNG_COLOR_TYPE_PALETTE)
    {
      png_color palette[16];

      for (int i = 0; i < 16; i++)
        palette[i] = (png_color) { i * 16, 255 - i * 16, i * 5 };
      png_set_PLTE (png, info, palette, 16);
    }
  if (spec->trns)
    {
      png_color_16 colour = { .gray = 255, .red = 255, .green = 255, .blue = 255 };
      png_byte alpha[16] = { 0, 128 };

      png_set_tRNS (png, info, alpha, spec->color_type == PNG_COLOR_TYPE_PALETTE ? 2 : 0,
                    &colour);
    }
  if (spec->phys_unit >= 0)
    png_set_pHYs (png, info, spec->phys_ppu, spec->phys_ppu, spec->phys_unit);
  if (spec->text != NULL)
    {
      png_text text = {
        .compression = spec->ztxt ? PNG_TEXT_COMPRESSION_zTXt : PNG_TEXT_COMPRESSION_NONE,
        .key = (char *) "Comment",
        .text = (char *) spec->text,
      };

      png_set_text (png, info, &text, 1);
    }
  if (spec->filters != 0)
    png_set_filter (png, PNG_FILTER_TYPE_BASE, spec->filters);
  if (spec->idat_size != 0)
    png_set_compression_buffer_size (png, spec->idat_size);
  png_write_info (png, info);
  png_write_image (png, rows);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  g_assert_cmpint (fclose (fp), ==, 0);

  return g_steal_pointer (&path);
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* What a (non-interlaced) file holds: the filter type of each row, the number of IDATs. */
static void
inspect_png (const char *path,
             guint       filter_counts[5],
             guint      *n_idat)
{
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *idat = NULL;
  g_autofree guint8 *raw = NULL;
  gsize len = 0, pos = 8, at = 0, rowbytes = 0, raw_len = 0;
  struct libdeflate_decompressor *d;
  guint32 h = 0;

  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  idat = g_malloc (len);
  *n_idat = 0;
  while (pos + 12 <= len)
    {
      guint32 clen = be32 (data + pos);

      if (memcmp (data + pos + 4, "IHDR", 4) == 0)
        {
          const guint8 *b = data + pos + 8;
          guint channels = b[9] == 2 ? 3 : b[9] == 6 ? 4 : b[9] == 4 ? 2 : 1;

          h = be32 (b + 4);
          rowbytes = ((gsize) be32 (b) * channels * b[8] + 7) / 8;
          raw_len = h * (rowbytes + 1);
        }
      else if (memcmp (data + pos + 4, "IDAT", 4) == 0)
        {
          memcpy (idat + at, data + pos + 8, clen);
          at += clen;
          (*n_idat)++;
        }
      pos += 12 + clen;
    }
  raw = g_malloc (raw_len);
  d = libdeflate_alloc_decompressor ();
  g_assert_cmpint (libdeflate_zlib_decompress (d, idat, at, raw, raw_len, NULL), ==,
                   LIBDEFLATE_SUCCESS);
  libdeflate_free_decompressor (d);
  memset (filter_counts, 0, 5 * sizeof (guint));
  for (guint32 y = 0; y < h; y++)
    {
      g_assert_cmpuint (raw[y * (rowbytes + 1)], <, 5);
      filter_counts[raw[y * (rowbytes + 1)]]++;
    }
}

/* --- tests -------------------------------------------------------------------------------- */

static void
test_sample_pages (void)
{
  for (int i = 1; i <= 7; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%04d.png", i);
      g_autofree char *path = pe_test_sample_page (name);

      assert_same_as_pixread (path, TRUE);
    }
}

static void
test_leptonica_written (void)
{
  g_autoptr(PIX) rgb = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) grey = pixConvertRGBToLuminance (rgb);
  g_autoptr(PIX) bitonal = pixThresholdToBinary (grey, 160);
  PIX *kinds[] = { rgb, grey, bitonal };
  const int widths[] = { 1, 3, 7, 8, 9, 31, 32, 33, 1001 };

  g_assert_cmpint (pixGetDepth (rgb), ==, 32);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *whole = g_strdup_printf ("%s/lept-%d-whole.png", tmpdir, k);

      pixSetResolution (kinds[k], 300, 300);
      pixSetText (kinds[k], k == 1 ? "grey page" : NULL);
      g_assert_cmpint (pixWritePng (whole, kinds[k], 0.0), ==, 0);
      assert_same_as_pixread (whole, TRUE);

      for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
        {
          g_autofree char *path = g_strdup_printf ("%s/lept-%d-%d.png", tmpdir, k, widths[i]);
          BOX *box = boxCreate (400, 600, widths[i], 37);
          g_autoptr(PIX) part = pixClipRectangle (kinds[k], box, NULL);

          boxDestroy (&box);
          g_assert_cmpint (pixGetWidth (part), ==, widths[i]);
          pixSetResolution (part, 150 + i, 200);
          g_assert_cmpint (pixWritePng (path, part, 0.0), ==, 0);
          assert_same_as_pixread (path, TRUE);
        }
    }
}

static void
test_every_filter (void)
{
  const struct { int depth, type; } kinds[] = {
    { 1, PNG_COLOR_TYPE_GRAY }, { 8, PNG_COLOR_TYPE_GRAY }, { 8, PNG_COLOR_TYPE_RGB },
  };
  const int filters[] = {
    PNG_FILTER_NONE, PNG_FILTER_SUB, PNG_FILTER_UP, PNG_FILTER_AVG, PNG_FILTER_PAETH,
    PNG_ALL_FILTERS,
  };
  const int filter_types[] = { 0, 1, 2, 3, 4, -1 };
  const guint32 widths[] = { 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 33, 1001 };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint f = 0; f < G_N_ELEMENTS (filters); f++)
      for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
        {
          PngSpec spec = {
            .width = widths[i], .height = 13, .bit_depth = kinds[k].depth,
            .color_type = kinds[k].type, .filters = filters[f], .phys_unit = 1,
            .phys_ppu = 11811 + i,
          };
          g_autofree char *name = g_strdup_printf ("filter-%u-%u-%u.png", k, f, widths[i]);
          g_autofree char *path = write_png (name, &spec);
          guint counts[5], n_idat;

          inspect_png (path, counts, &n_idat);
          g_test_message ("%s: filters %u %u %u %u %u", name, counts[0], counts[1], counts[2],
                          counts[3], counts[4]);
          /* The file really uses that filter (libpng may start with another on row 0). In
           * rows of one pixel, libpng uses no filter that looks left; test_built_control()
           * has those. */
          if (filter_types[f] >= 0 && (widths[i] > 1 || filter_types[f] == 2))
            g_assert_cmpuint (counts[filter_types[f]], >=, spec.height - 1);
          assert_same_as_pixread (path, TRUE);
        }
}

static void
test_large_paeth_rgb (void)
{
  /* Many pixels through the wide Paeth and Sub code, rows of several KB. */
  const int filters[] = { PNG_FILTER_PAETH, PNG_FILTER_SUB, PNG_FILTER_AVG, PNG_ALL_FILTERS };

  for (guint f = 0; f < G_N_ELEMENTS (filters); f++)
    for (int type = 0; type <= 2; type += 2)
      {
        PngSpec spec = {
          .width = 2481, .height = 40, .bit_depth = 8, .color_type = type,
          .filters = filters[f], .phys_unit = -1,
        };
        g_autofree char *name = g_strdup_printf ("large-%u-%d.png", f, type);
        g_autofree char *path = write_png (name, &spec);

        assert_same_as_pixread (path, TRUE);
      }
}

static void
test_many_idats_and_metadata (void)
{
  PngSpec spec = {
    .width = 1001, .height = 11, .bit_depth = 8, .color_type = PNG_COLOR_TYPE_RGB,
    .idat_size = 64, .phys_unit = 1, .phys_ppu = 3, .text = "first text",
  };
  g_autofree char *path = write_png ("many-idats.png", &spec);
  g_autofree char *unknown_unit = NULL;
  guint counts[5], n_idat;

  inspect_png (path, counts, &n_idat);
  g_assert_cmpuint (n_idat, >, 100);
  assert_same_as_pixread (path, TRUE);

  /* pHYs in no unit: no resolution, as libpng reports it. */
  spec.idat_size = 0;
  spec.phys_unit = PNG_RESOLUTION_UNKNOWN;
  spec.phys_ppu = 11811;
  spec.text = "";
  unknown_unit = write_png ("unknown-unit.png", &spec);
  assert_same_as_pixread (unknown_unit, TRUE);
}

static void
test_fallback_kinds (void)
{
  const PngSpec specs[] = {
    { .width = 33, .height = 17, .bit_depth = 8, .color_type = PNG_COLOR_TYPE_GRAY,
      .interlace = PNG_INTERLACE_ADAM7, .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 8, .color_type = PNG_COLOR_TYPE_RGB,
      .interlace = PNG_INTERLACE_ADAM7, .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 1, .color_type = PNG_COLOR_TYPE_GRAY,
      .interlace = PNG_INTERLACE_ADAM7, .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 8, .color_type = PNG_COLOR_TYPE_PALETTE,
      .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 16, .color_type = PNG_COLOR_TYPE_GRAY,
      .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 16, .color_type = PNG_COLOR_TYPE_RGB,
      .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 8, .color_type = PNG_COLOR_TYPE_RGB_ALPHA,
      .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 8, .color_type = PNG_COLOR_TYPE_GRAY_ALPHA,
      .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 4, .color_type = PNG_COLOR_TYPE_GRAY,
      .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 8, .color_type = PNG_COLOR_TYPE_GRAY,
      .trns = TRUE, .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 8, .color_type = PNG_COLOR_TYPE_RGB,
      .trns = TRUE, .phys_unit = -1 },
    { .width = 33, .height = 17, .bit_depth = 8, .color_type = PNG_COLOR_TYPE_RGB,
      .phys_unit = -1, .text = "compressed text", .ztxt = TRUE },
  };
  g_autoptr(PIX) rgb = pe_test_load_sample_page ("p0003.png");
  g_autofree char *pnm = g_build_filename (tmpdir, "page.pnm", NULL);
  g_autofree char *jpeg = g_build_filename (tmpdir, "page.jpg", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autofree char *name = g_strdup_printf ("fallback-%u.png", i);
      g_autofree char *path = write_png (name, &specs[i]);

      assert_same_as_pixread (path, FALSE);
    }

  /* ASCII PNM is left to pixRead(); binary PNM has its reader (test_pnm()). */
  {
    FILE *fp = fopen (pnm, "wb");

    g_assert_nonnull (fp);
    g_assert_cmpint (pixWriteStreamAsciiPnm (fp, rgb), ==, 0);
    fclose (fp);
  }
  assert_same_as_pixread (pnm, FALSE);
  g_assert_cmpint (pixWrite (jpeg, rgb, IFF_JFIF_JPEG), ==, 0);
  assert_same_as_pixread (jpeg, FALSE);
}

/* --- damaged files ------------------------------------------------------------------------ */

static void
add_chunk (GByteArray   *png,
           const char   *type,
           const guint8 *data,
           gsize         len)
{
  guint8 word[4];
  guint32 crc;

  pe_test_put_be32 (word, len);
  g_byte_array_append (png, word, 4);
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (png, data, len);
  /* libdeflate_crc32() takes NULL for "start again". */
  crc = libdeflate_crc32 (libdeflate_crc32 (0, type, 4), data != NULL ? data : png->data, len);
  pe_test_put_be32 (word, crc);
  g_byte_array_append (png, word, 4);
}

typedef struct
{
  guint32      width;
  guint32      height;
  guint8       depth;
  guint8       type;
  guint8       interlace;
  const char  *first_chunk;   /* instead of IHDR */
  const char  *before_idat;   /* an empty chunk of this type */
  gboolean     split_idat;    /* a tEXt between two IDATs */
  gboolean     no_idat;
  gboolean     no_iend;
  int          rows_delta;    /* image data for this many rows more (or fewer) */
  gsize        trailing;      /* bytes after the zlib stream, in the IDAT */
  int          bad_filter_row;
} BuildSpec;

/* A grey 8-bit PNG (or what @b says) put together by hand, every row with another filter.
 * For absurd sizes in the header, the data is that of a 7 × 9 image. */
static GByteArray *
build_png (const BuildSpec *b)
{
  GByteArray *png = g_byte_array_new ();
  guint8 ihdr[13];
  guint32 width = b->width > 4096 ? 7 : b->width;
  gsize rowbytes = b->depth == 1 ? (width + 7) / 8 : width * (b->type == 2 ? 3 : 1);
  guint32 rows = (b->height > 4096 ? 9 : b->height) + b->rows_delta;
  gsize raw_len = (gsize) rows * (rowbytes + 1);
  g_autofree guint8 *raw = g_malloc (raw_len);
  g_autofree guint8 *z = g_malloc (raw_len + 1024);
  struct libdeflate_compressor *c = libdeflate_alloc_compressor (6);
  gsize zlen;

  for (guint32 y = 0; y < rows; y++)
    {
      raw[y * (rowbytes + 1)] = (int) y == b->bad_filter_row ? 5 : y % 5;
      for (gsize i = 0; i < rowbytes; i++)
        raw[y * (rowbytes + 1) + 1 + i] = sample_byte (i, y, 0);
    }
  zlen = libdeflate_zlib_compress (c, raw, raw_len, z, raw_len + 1024);
  libdeflate_free_compressor (c);
  g_assert_cmpuint (zlen, >, 0);
  memset (z + zlen, 0x5a, b->trailing);
  zlen += b->trailing;

  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  pe_test_put_be32 (ihdr, b->width);
  pe_test_put_be32 (ihdr + 4, b->height);
  ihdr[8] = b->depth;
  ihdr[9] = b->type;
  ihdr[10] = ihdr[11] = 0;
  ihdr[12] = b->interlace;
  add_chunk (png, b->first_chunk != NULL ? b->first_chunk : "IHDR", ihdr, 13);
  if (b->before_idat != NULL)
    add_chunk (png, b->before_idat, NULL, 0);
  if (!b->no_idat)
    {
      gsize half = b->split_idat ? zlen / 2 : zlen;

      add_chunk (png, "IDAT", z, half);
      if (b->split_idat)
        {
          add_chunk (png, "tEXt", (const guint8 *) "a\0b", 3);
          add_chunk (png, "IDAT", z + half, zlen - half);
        }
    }
  if (!b->no_iend)
    add_chunk (png, "IEND", NULL, 0);
  return png;
}

static void
test_built_control (void)
{
  /* The hand-built file is right when nothing is wrong with it. */
  const BuildSpec specs[] = {
    { .width = 7, .height = 9, .depth = 8, .type = 0, .bad_filter_row = -1 },
    { .width = 9, .height = 9, .depth = 8, .type = 2, .bad_filter_row = -1 },
    { .width = 13, .height = 9, .depth = 1, .type = 0, .bad_filter_row = -1 },
    { .width = 1, .height = 11, .depth = 8, .type = 0, .bad_filter_row = -1 },
    { .width = 1, .height = 11, .depth = 8, .type = 2, .bad_filter_row = -1 },
    { .width = 1, .height = 11, .depth = 1, .type = 0, .bad_filter_row = -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr(GByteArray) png = build_png (&specs[i]);
      g_autofree char *path = g_strdup_printf ("%s/built-%u.png", tmpdir, i);

      write_bytes (path, png->data, png->len);
      assert_same_as_pixread (path, TRUE);
    }
}

static void
test_damaged_structure (void)
{
  const BuildSpec specs[] = {
    { .width = 7, .height = 9, .depth = 8, .rows_delta = -1, .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .rows_delta = 1, .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .trailing = 3, .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .bad_filter_row = 4 },
    { .width = 7, .height = 9, .depth = 8, .type = 2, .bad_filter_row = 8 },
    { .width = 0, .height = 9, .depth = 8, .bad_filter_row = -1 },
    { .width = 7, .height = 0, .depth = 8, .bad_filter_row = -1 },
    { .width = 0x80000000u, .height = 9, .depth = 8, .bad_filter_row = -1 },
    { .width = 7, .height = 0x80000000u, .depth = 8, .bad_filter_row = -1 },
    { .width = 0x7fffffffu, .height = 9, .depth = 8, .bad_filter_row = -1 },
    { .width = 0x7fffffffu, .height = 0x7fffffffu, .depth = 8, .type = 2, .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 3, .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .type = 1, .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .interlace = 2, .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .first_chunk = "tEXt", .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .before_idat = "ABCD", .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .before_idat = "IHDR", .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .before_idat = "a1cd", .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .split_idat = TRUE, .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .no_idat = TRUE, .bad_filter_row = -1 },
    { .width = 7, .height = 9, .depth = 8, .no_iend = TRUE, .bad_filter_row = -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr(GByteArray) png = build_png (&specs[i]);

      g_test_message ("damaged file %u", i);
      assert_corrupt_bytes (png->data, png->len);
    }

  {
    /* A chunk length beyond what PNG allows. */
    BuildSpec spec = { .width = 7, .height = 9, .depth = 8, .bad_filter_row = -1 };
    g_autoptr(GByteArray) png = build_png (&spec);

    pe_test_put_be32 (png->data + 33, 0x80000000u);
    assert_corrupt_bytes (png->data, png->len);
  }
}

static void
test_damaged_bytes (void)
{
  PngSpec spec = {
    .width = 64, .height = 20, .bit_depth = 8, .color_type = PNG_COLOR_TYPE_RGB,
    .filters = PNG_ALL_FILTERS, .phys_unit = 1, .phys_ppu = 11811, .text = "note",
  };
  g_autofree char *path = write_png ("whole.png", &spec);
  g_autofree guint8 *data = NULL;
  gsize len = 0, idat = 0, idat_len;

  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  assert_same_as_pixread (path, TRUE);

  /* Cut short anywhere, the file is damaged. */
  for (gsize cut = 0; cut < len; cut++)
    assert_corrupt_bytes (data, cut);

  for (gsize pos = 8; pos + 12 <= len; pos += 12 + be32 (data + pos))
    if (memcmp (data + pos + 4, "IDAT", 4) == 0)
      {
        idat = pos;
        break;
      }
  g_assert_cmpuint (idat, >, 0);
  idat_len = be32 (data + idat);
  g_assert_cmpuint (idat_len, >, 100);

  /* A flipped byte anywhere in a chunk: its CRC no longer matches. */
  for (gsize pos = 8; pos < len; pos += 7)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);

      copy[pos] ^= 0x10;
      assert_corrupt_bytes (copy, len);
    }

  /* A flipped byte in the compressed data with the CRC made right again: inflating or the
   * Adler-32 catches it, almost always. Adler-32 misses some changes (in this image, a copy
   * from elsewhere whose three bytes differ by +x, -2x, +x), which zlib misses as well: then
   * the result must be what pixRead() makes of the same bytes, and such flips rare. */
  {
    g_autofree char *flipped_path = g_build_filename (tmpdir, "flipped.png", NULL);
    guint missed = 0;

    for (gsize off = 0; off < idat_len; off++)
      {
        g_autofree guint8 *copy = g_memdup2 (data, len);
        g_autofree guint8 *work = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(PIX) pix = NULL;
        gboolean unsupported = FALSE;
        guint8 *chunk = copy + idat;

        chunk[8 + off] ^= 0xff;
        pe_test_put_be32 (chunk + 8 + idat_len, libdeflate_crc32 (0, chunk + 4, idat_len + 4));
        work = g_memdup2 (copy, len);
        pix = _pe_store_decode (work, len, "flipped.png", &unsupported, &error);
        g_assert_false (unsupported);
        if (pix == NULL)
          g_assert_error (error, PE_ERROR, PE_ERROR_CORRUPT);
        else
          {
            g_autoptr(PIX) expected = NULL;

            write_bytes (flipped_path, copy, len);
            expected = pixRead (flipped_path);
            g_assert_nonnull (expected);
            assert_pix_identical (expected, pix);
            missed++;
          }
      }
    g_test_message ("%u of %zu flips in the compressed data went unnoticed", missed, idat_len);
    g_assert_cmpuint (missed, <=, idat_len / 100);
  }
}

/* --- PNM, as the store writes fresh scans ------------------------------------------------ */

static void
test_pnm (void)
{
  g_autoptr(PIX) rgb = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) grey = pixConvertRGBToLuminance (rgb);
  g_autoptr(PIX) bitonal = pixThresholdToBinary (grey, 160);
  g_autoptr(PIX) deep = pixConvert8To16 (grey, 8);
  PIX *kinds[] = { rgb, grey, bitonal };
  const int widths[] = { 1, 3, 7, 8, 9, 31, 32, 33, 1001 };
  g_autofree char *path = g_build_filename (tmpdir, "page.pnm", NULL);
  g_autofree char *commented = g_build_filename (tmpdir, "commented.pgm", NULL);
  static const guint8 header_comments[] = "P5\n# kind\n#  size below\n3 2\n255\n"
                                           "\x00\x10\x20\xff\xfe\x80";

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_assert_cmpint (pixWrite (path, kinds[k], IFF_PNM), ==, 0);
      assert_same_as_pixread (path, TRUE);
      for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
        {
          BOX *box = boxCreate (400, 600, widths[i], 37);
          g_autoptr(PIX) part = pixClipRectangle (kinds[k], box, NULL);

          boxDestroy (&box);
          g_assert_cmpint (pixWrite (path, part, IFF_PNM), ==, 0);
          assert_same_as_pixread (path, TRUE);
        }
    }

  /* Comment lines in the header (pixRead() takes them after the magic number). */
  write_bytes (commented, header_comments, sizeof header_comments - 1);
  assert_same_as_pixread (commented, TRUE);

  /* 16-bit grey is left to pixRead(). */
  g_assert_cmpint (pixWrite (path, deep, IFF_PNM), ==, 0);
  assert_same_as_pixread (path, FALSE);

  /* Damage: the last byte missing, a zero width, no number where the height belongs. */
  {
    g_autofree char *contents = NULL;
    gsize len = 0;

    g_assert_cmpint (pixWrite (path, rgb, IFF_PNM), ==, 0);
    g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
    assert_corrupt_bytes ((const guint8 *) contents, len - 1);
    assert_corrupt_bytes ((const guint8 *) "P6\n0 5\n255\n", 11);
    assert_corrupt_bytes ((const guint8 *) "P4\n8 x\n\xff", 8);
  }
}

/* The store's PNM writer: Leptonica's raster to the byte (after its header, which has a
 * comment), read back by pixRead() and by the reader of our own as the page written. */
static void
test_pnm_write (void)
{
  g_autoptr(PIX) rgb = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) grey = pixConvertRGBToLuminance (rgb);
  g_autoptr(PIX) bitonal = pixThresholdToBinary (grey, 160);
  g_autoptr(PIX) mapped = pixConvertGrayToColormap (grey);
  PIX *kinds[] = { rgb, grey, bitonal };
  /* The last: the whole width of the page. */
  const int widths[] = { 1, 3, 7, 8, 9, 31, 32, 33, 1001, 100000 };
  g_autofree char *path = g_build_filename (tmpdir, "written.pnm", NULL);
  gsize len = 0;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
      {
        BOX *box = boxCreate (0, 600, widths[i], 41);
        g_autoptr(PIX) part = pixClipRectangle (kinds[k], box, NULL);
        g_autoptr(PIX) back = NULL;
        g_autofree guint8 *ours = NULL;
        l_uint8 *theirs = NULL;
        size_t theirs_len = 0;
        gsize raster, w;
        l_int32 same = 0;

        boxDestroy (&box);
        /* Garbage in the pad bits must not reach the file. */
        if (pixGetDepth (part) == 1)
          pixSetPadBits (part, 1);
        ours = pe_store_encode_pnm (part, &len);
        g_assert_nonnull (ours);
        pixSetPadBits (part, 0);
        g_assert_cmpint (pixWriteMem (&theirs, &theirs_len, part, IFF_PNM), ==, 0);
        w = pixGetWidth (part);
        raster = (pixGetDepth (part) == 1 ? (w + 7) / 8 : w * (pixGetDepth (part) == 8 ? 1 : 3)) *
                 pixGetHeight (part);
        g_assert_cmpuint (len, >, raster);
        g_assert_cmpuint (theirs_len, >, raster);
        g_assert_cmpint (memcmp (ours + len - raster, theirs + theirs_len - raster, raster), ==, 0);
        lept_free (theirs);

        write_bytes (path, ours, len);
        back = pixRead (path);
        g_assert_nonnull (back);
        g_assert_cmpint (pixEqual (back, part, &same), ==, 0);
        g_assert_true (same);
        assert_same_as_pixread (path, TRUE);
      }

  g_assert_null (pe_store_encode_pnm (mapped, &len));
}

static void
test_missing_file (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "nothing-here.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PIX) pix = pe_store_read_image (path, &error);

  g_assert_null (pix);
  g_assert_error (error, PE_ERROR, PE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, path));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Leptonica reports every file pixRead() cannot read; the damaged ones are expected. */
  setMsgSeverity (L_SEVERITY_NONE);
  tmpdir = pe_test_mkdtemp ();

  g_test_add_func ("/store/image-read/sample-pages", test_sample_pages);
  g_test_add_func ("/store/image-read/leptonica-written", test_leptonica_written);
  g_test_add_func ("/store/image-read/every-filter", test_every_filter);
  g_test_add_func ("/store/image-read/large-rows", test_large_paeth_rgb);
  g_test_add_func ("/store/image-read/many-idats-and-metadata", test_many_idats_and_metadata);
  g_test_add_func ("/store/image-read/fallback-kinds", test_fallback_kinds);
  g_test_add_func ("/store/image-read/built-control", test_built_control);
  g_test_add_func ("/store/image-read/damaged-structure", test_damaged_structure);
  g_test_add_func ("/store/image-read/damaged-bytes", test_damaged_bytes);
  g_test_add_func ("/store/image-read/missing-file", test_missing_file);
  g_test_add_func ("/store/image-read/pnm", test_pnm);
  g_test_add_func ("/store/image-write/pnm", test_pnm_write);

  status = g_test_run ();
  pe_test_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
