/* test-pdf-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pages encoded ahead of the document (PePdfPage): the PDF built from stored pages is the very
 * file the writer makes when it encodes itself, the stored form survives nothing but itself
 * (every truncation and byte flip is refused), encoding is thread-safe, and the MRC text
 * finder's one-pass thresholding and speck removal give what the plain way gives.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

#include "pe-error.h"
#include "pe-types.h"
#include "pe-pdf-page.h"
#include "pe-pdfa-writer.h"
#include "pe-pdfa-verify.h"
#include "pe-pdf-mrc.h"
#include "pe-test-common.h"

#define DOC_ID "5b0c6d2e-8f41-4a7e-b3c9-1d2e3f4a5b6c"

static PIX *
upscale_300 (PIX *pix)
{
  PIX *big = pixScale (pix, 1.5, 1.5);

  pixSetResolution (big, 300, 300);
  return big;
}

static GDateTime *
fixed_date (void)
{
  return g_date_time_new_utc (2026, 2, 2, 9, 30, 0);
}

static PePdfaWriter *
new_writer (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) date = fixed_date ();
  PePdfaWriter *writer = pe_pdfa_writer_new (PE_PDFA_2B, path, &error);

  g_assert_no_error (error);
  pe_pdfa_writer_set_creation_date (writer, date);
  return writer;
}

static void
finish (PePdfaWriter *writer)
{
  g_autoptr(GError) error = NULL;
  PePdfMetadata md = { .document_id = DOC_ID, .title = "Prepared pages", .languages = "deu" };

  pe_pdfa_writer_finish (writer, &md, &error);
  g_assert_no_error (error);
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* The sample pages as the pipeline would hand them over, each with how it is to be encoded. */
typedef struct
{
  PIX                *pix;
  PePdfImageEncoding  encoding;
  PePdfPageEncoding   expected;
  PeOcrResult        *ocr;
} Sample;

static GArray *
load_samples (void)
{
  GArray *samples = g_array_new (FALSE, TRUE, sizeof (Sample));
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) grey = pe_test_load_sample_page ("p0003.png");
  g_autoptr(PIX) grey8 = pixConvertTo8 (grey, FALSE);
  g_autoptr(PIX) bw = NULL;
  Sample s;

  s = (Sample) { upscale_300 (colour), PE_PDF_IMAGE_MRC, PE_PDF_PAGE_MRC,
                 pe_test_load_ocr ("pdf/p0001.tsv") };
  g_array_append_val (samples, s);
  bw = pixConvertTo1 (grey8, 160);
  pixCopyResolution (bw, grey);
  s = (Sample) { g_steal_pointer (&bw), PE_PDF_IMAGE_AUTO, PE_PDF_PAGE_G4,
                 pe_test_load_ocr ("pdf/p0003.tsv") };
  g_array_append_val (samples, s);
  s = (Sample) { pixClone (grey8), PE_PDF_IMAGE_AUTO, PE_PDF_PAGE_JPEG, NULL };
  g_array_append_val (samples, s);
  s = (Sample) { pixScale (grey8, 0.25, 0.25), PE_PDF_IMAGE_FLATE, PE_PDF_PAGE_FLATE, NULL };
  g_array_append_val (samples, s);
  return samples;
}

static void
free_samples (GArray *samples)
{
  for (guint i = 0; i < samples->len; i++)
    {
      Sample *s = &g_array_index (samples, Sample, i);

      pixDestroy (&s->pix);
      g_clear_pointer (&s->ocr, pe_ocr_result_unref);
    }
  g_array_unref (samples);
}

static void
assert_verdict (const char *path,
                const char *verdict)
{
  g_autofree char *tool = pe_test_tool_path ("pdfa-check");
  const char *argv[] = { tool, path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *line = g_strdup_printf ("%s %s\n", verdict, path);

  pe_test_run (argv, &out, NULL);
  g_test_message ("pdfa-check:\n%s", out);
  /* "VERDICT FILE" on a line of its own, the validator's findings indented below */
  if (!g_str_has_prefix (out, line) && strstr (out, line) == NULL)
    g_error ("%s is not %s:\n%s", path, verdict, out);
}

/* Round trip ------------------------------------------------------------------------------- */

/* Encoded, stored, read back and written: the same file, to the byte, as the writer makes when
 * it encodes the pages itself; valid PDF/A with the text layer. */
static void
test_round_trip (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *direct_path = g_build_filename (dir, "direct.pdf", NULL);
  g_autofree char *stored_path = g_build_filename (dir, "stored.pdf", NULL);
  g_autoptr(PePdfaWriter) direct = new_writer (direct_path);
  g_autoptr(PePdfaWriter) stored = new_writer (stored_path);
  g_autoptr(GArray) samples = load_samples ();
  g_autoptr(GBytes) direct_bytes = NULL;
  g_autoptr(GBytes) stored_bytes = NULL;
  const char *text_argv[] = { "pdftotext", stored_path, "-", NULL };
  g_autofree char *text = NULL;
  static const char *const expected[] = {
    "Äußerung zum geplanten Vorhaben",
    "IBAN: DE24 2594 0033 8590 9864 11",
  };

  for (guint i = 0; i < samples->len; i++)
    {
      Sample *s = &g_array_index (samples, Sample, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(PePdfPage) page = NULL;
      g_autoptr(PePdfPage) back = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GBytes) again = NULL;
      guint x_dpi, y_dpi, bx, by;
      double w, h, bw, bh;

      page = pe_pdf_page_new (s->pix, s->encoding, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (pe_pdf_page_get_encoding (page), ==, s->expected);
      g_assert_cmpuint (pe_pdf_page_get_width (page), ==, pixGetWidth (s->pix));
      g_assert_cmpuint (pe_pdf_page_get_height (page), ==, pixGetHeight (s->pix));
      g_assert_cmpint (pe_pdf_page_get_encode_usec (page), >, 0);
      g_test_message ("%s page: %u images, %" G_GSIZE_FORMAT " bytes, %.1f ms",
                      pe_pdf_page_encoding_to_string (s->expected),
                      pe_pdf_page_get_n_images (page), pe_pdf_page_get_encoded_size (page),
                      pe_pdf_page_get_encode_usec (page) / 1000.0);

      bytes = pe_pdf_page_serialize (page);
      /* the container is the streams plus a small header: nothing is stored twice */
      g_assert_cmpuint (g_bytes_get_size (bytes), <=,
                        pe_pdf_page_get_encoded_size (page) + 48 +
                        20 * pe_pdf_page_get_n_images (page));
      back = pe_pdf_page_new_from_bytes (bytes, &error);
      g_assert_no_error (error);
      again = pe_pdf_page_serialize (back);
      g_assert_true (g_bytes_equal (bytes, again));

      g_assert_cmpint (pe_pdf_page_get_encoding (back), ==, s->expected);
      g_assert_cmpuint (pe_pdf_page_get_n_images (back), ==, pe_pdf_page_get_n_images (page));
      g_assert_cmpuint (pe_pdf_page_get_encoded_size (back), ==,
                        pe_pdf_page_get_encoded_size (page));
      g_assert_cmpint (pe_pdf_page_get_encode_usec (back), ==,
                       pe_pdf_page_get_encode_usec (page));
      pe_pdf_page_get_dpi (page, &x_dpi, &y_dpi);
      pe_pdf_page_get_dpi (back, &bx, &by);
      g_assert_cmpuint (x_dpi, ==, bx);
      g_assert_cmpuint (y_dpi, ==, by);
      g_assert_cmpuint (x_dpi, ==, pixGetXRes (s->pix));
      pe_pdf_page_get_size_pt (page, &w, &h);
      pe_pdf_page_get_size_pt (back, &bw, &bh);
      g_assert_cmpfloat (w, ==, bw);
      g_assert_cmpfloat (h, ==, bh);
      g_assert_cmpfloat_with_epsilon (w, pixGetWidth (s->pix) * 72.0 / x_dpi, 1e-9);

      if (s->encoding == PE_PDF_IMAGE_MRC)
        pe_pdfa_writer_add_page_mrc (direct, s->pix, NULL, s->ocr, NULL, &error);
      else
        pe_pdfa_writer_add_page (direct, s->pix, s->encoding, NULL, s->ocr, NULL, &error);
      g_assert_no_error (error);
      pe_pdfa_writer_add_pdf_page (stored, back, s->ocr, NULL, &error);
      g_assert_no_error (error);
    }
  finish (direct);
  finish (stored);

  direct_bytes = read_file (direct_path);
  stored_bytes = read_file (stored_path);
  g_test_message ("%u pages, %" G_GSIZE_FORMAT " bytes", samples->len,
                  g_bytes_get_size (stored_bytes));
  g_assert_true (g_bytes_equal (direct_bytes, stored_bytes));

  if (!pe_test_skip_unless_program ("pdftotext"))
    {
      g_assert_cmpint (pe_test_run (text_argv, &text, NULL), ==, 0);
      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        if (strstr (text, expected[i]) == NULL)
          g_error ("pdftotext lacks “%s”:\n%s", expected[i], text);
    }
  if (!pe_test_skip_unless_program ("java"))
    assert_verdict (stored_path, "PASS-2B-UNDER-1B-RULES");

  free_samples (g_steal_pointer (&samples));
  pe_test_rmdir (dir);
}

/* The choices and getters: MRC of a black-and-white page is plain G4, the scanner's JPEG goes
 * in untouched and costs no encoding time, an unset resolution is 300 dpi, and a page can be
 * added to several documents. */
static void
test_encodings (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PIX) bw = pixCreate (620, 877, 1);
  g_autoptr(PIX) colour = pixCreate (400, 300, 32);
  g_autoptr(PePdfPage) g4 = NULL;
  g_autoptr(PePdfPage) passed = NULL;
  g_autoptr(PePdfPage) jpeg = NULL;
  g_autoptr(PePdfPage) mrc = NULL;
  g_autofree char *dir = pe_test_mkdtemp ();
  l_uint8 *data = NULL;
  size_t size = 0;
  g_autoptr(GBytes) original = NULL;
  PePdfPageParams params = { .jpeg_quality = 20, .mrc_dpi = 150 };
  double w, h;

  pixRenderLine (bw, 40, 40, 500, 700, 5, L_SET_PIXELS);
  g4 = pe_pdf_page_new (bw, PE_PDF_IMAGE_MRC, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pe_pdf_page_get_encoding (g4), ==, PE_PDF_PAGE_G4);
  g_assert_cmpuint (pe_pdf_page_get_n_images (g4), ==, 1);
  pe_pdf_page_get_size_pt (g4, &w, &h);
  g_assert_cmpfloat_with_epsilon (w, 620 * 72.0 / 300, 1e-9);
  g_assert_cmpfloat_with_epsilon (h, 877 * 72.0 / 300, 1e-9);

  pixSetAllArbitrary (colour, 0xd0a07000);
  pixRenderLine (colour, 10, 150, 390, 150, 9, L_CLEAR_PIXELS);
  pixSetResolution (colour, 200, 200);
  pixWriteMemJpeg (&data, &size, colour, 90, 0);
  original = g_bytes_new (data, size);
  lept_free (data);
  passed = pe_pdf_page_new (colour, PE_PDF_IMAGE_AUTO, original, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pe_pdf_page_get_encoding (passed), ==, PE_PDF_PAGE_JPEG);
  g_assert_cmpuint (pe_pdf_page_get_encoded_size (passed), ==, size);
  g_assert_cmpint (pe_pdf_page_get_encode_usec (passed), ==, 0);

  /* the parameters apply: a low JPEG quality makes a smaller stream than the default */
  jpeg = pe_pdf_page_new (colour, PE_PDF_IMAGE_AUTO, NULL, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pe_pdf_page_get_encoded_size (jpeg), <, size);
  mrc = pe_pdf_page_new (colour, PE_PDF_IMAGE_MRC, original, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pe_pdf_page_get_encoding (mrc), ==, PE_PDF_PAGE_MRC);
  g_assert_cmpuint (pe_pdf_page_get_n_images (mrc), >=, 2);
  g_assert_cmpstr (pe_pdf_page_encoding_to_string (PE_PDF_PAGE_MRC), ==, "mrc");

  /* one page in two documents */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("doc%u.pdf", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(PePdfaWriter) writer = new_writer (path);
      guint n_pages = 0;

      pe_pdfa_writer_add_pdf_page (writer, mrc, NULL, NULL, &error);
      g_assert_no_error (error);
      pe_pdfa_writer_add_pdf_page (writer, g4, NULL, NULL, &error);
      g_assert_no_error (error);
      finish (writer);
      g_assert_true (pe_pdfa_verify_structure (path, NULL, &n_pages, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n_pages, ==, 2);
    }

  /* a cancelled encoding makes nothing */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(PePdfPage) none = NULL;

    g_cancellable_cancel (cancellable);
    none = pe_pdf_page_new (colour, PE_PDF_IMAGE_MRC, NULL, NULL, cancellable, &error);
    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }

  pe_test_rmdir (dir);
}

/* Corruption -------------------------------------------------------------------------------- */

static void
assert_corrupt (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PePdfPage) page = pe_pdf_page_new_from_bytes (bytes, &error);

  g_assert_null (page);
  g_assert_error (error, PE_ERROR, PE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "Process the batch again"));
}

/* @data with its checksum made right again: damage the checksum would not see */
static GBytes *
with_crc (guint8 *data,
          gsize   len)
{
  guint32 crc = GUINT32_TO_LE (crc32 (0, data, len - 4));

  memcpy (data + len - 4, &crc, 4);
  return g_bytes_new (data, len);
}

/* Cut at every byte and every byte flipped (the small MRC page, 5 streams), plus random flips:
 * each is refused as corrupt, none crashes. */
static void
test_corrupt (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0001.png");
  BOX *box = boxCreate (700, 250, 420, 260);
  g_autoptr(PIX) part = pixClipRectangle (colour, box, NULL);
  g_autoptr(PePdfPage) page = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260202);
  const guint8 *data;
  gsize len;

  boxDestroy (&box);
  pixSetResolution (part, 300, 300);
  page = pe_pdf_page_new (part, PE_PDF_IMAGE_MRC, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pe_pdf_page_get_n_images (page), >=, 2);
  bytes = pe_pdf_page_serialize (page);
  data = g_bytes_get_data (bytes, &len);
  g_test_message ("container: %" G_GSIZE_FORMAT " bytes, %u images", len,
                  pe_pdf_page_get_n_images (page));

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) truncated = g_bytes_new (data, cut);

      assert_corrupt (truncated);
    }
  {
    g_autofree guint8 *longer = g_malloc (len + 1);
    g_autoptr(GBytes) extra = NULL;

    memcpy (longer, data, len);
    longer[len] = 0;
    extra = g_bytes_new (longer, len + 1);
    assert_corrupt (extra);
  }

  for (gsize i = 0; i < len; i++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GBytes) flipped = NULL;

      copy[i] ^= 1u << (i % 8);
      flipped = g_bytes_new_take (g_steal_pointer (&copy), len);
      assert_corrupt (flipped);
    }
  for (guint k = 0; k < 2000; k++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GBytes) flipped = NULL;
      guint n = g_rand_int_range (rand, 1, 5);

      for (guint j = 0; j < n; j++)
        copy[g_rand_int_range (rand, 0, len)] ^= g_rand_int_range (rand, 1, 256);
      flipped = g_bytes_new_take (g_steal_pointer (&copy), len);
      assert_corrupt (flipped);
    }

  /* whole but impossible: the checks behind the checksum */
  {
    static const struct { gsize offset; guint8 value; } damage[] = {
      { 16, 0 },      /* width 0 (low byte; the page is narrower than 256 × 256) */
      { 32, 7 },      /* no such encoding */
      { 33, 0 },      /* MRC without a reduction factor */
      { 34, 0 },      /* no images */
      { 34, 6 },      /* more images than MRC has */
      { 35, 1 },      /* reserved */
      { 44 + 9, 0 },  /* background without a colour space */
      { 44 + 10, 1 }, /* background as G4 */
    };

    for (guint i = 0; i < G_N_ELEMENTS (damage); i++)
      {
        g_autofree guint8 *copy = g_memdup2 (data, len);
        g_autoptr(GBytes) bad = NULL;

        copy[damage[i].offset] = damage[i].value;
        if (damage[i].offset == 16)
          copy[17] = 0;
        bad = with_crc (copy, len);
        assert_corrupt (bad);
      }
  }

  /* another version says so */
  {
    g_autofree guint8 *copy = g_memdup2 (data, len);
    g_autoptr(GBytes) newer = NULL;
    g_autoptr(PePdfPage) none = NULL;

    copy[8] = 2;
    newer = g_bytes_new_take (g_steal_pointer (&copy), len);
    none = pe_pdf_page_new_from_bytes (newer, &error);
    g_assert_null (none);
    g_assert_error (error, PE_ERROR, PE_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "version 2"));
    g_clear_error (&error);
  }

  /* and the intact one is still fine */
  {
    g_autoptr(PePdfPage) back = pe_pdf_page_new_from_bytes (bytes, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (pe_pdf_page_get_encoded_size (back), ==,
                      pe_pdf_page_get_encoded_size (page));
  }
}

/* Threads ----------------------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *pixes;
  GPtrArray *results;   /* GBytes per page, serialized */
  guint      first;
} ThreadData;

static gpointer
encode_thread (gpointer user_data)
{
  ThreadData *td = user_data;

  for (guint i = td->first; i < td->pixes->len; i += 2)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PePdfPage) page = pe_pdf_page_new (g_ptr_array_index (td->pixes, i),
                                                   PE_PDF_IMAGE_MRC, NULL, NULL, NULL, &error);

      g_assert_no_error (error);
      g_ptr_array_index (td->results, i) = pe_pdf_page_serialize (page);
    }
  return NULL;
}

/* Two workers encode at once what one encodes alone, to the byte. */
static void
test_threads (void)
{
  static const char *const names[] = { "p0001.png", "p0003.png", "p0005.png", "p0007.png" };
  g_autoptr(GPtrArray) pixes = g_ptr_array_new_with_free_func ((GDestroyNotify) pe_pix_free);
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  ThreadData td[2];
  GThread *threads[2];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(PIX) pix = pe_test_load_sample_page (names[i]);

      g_ptr_array_add (pixes, upscale_300 (pix));
    }
  g_ptr_array_set_size (results, pixes->len);
  for (guint t = 0; t < 2; t++)
    {
      td[t] = (ThreadData) { pixes, results, t };
      threads[t] = g_thread_new ("encode", encode_thread, &td[t]);
    }
  for (guint t = 0; t < 2; t++)
    g_thread_join (threads[t]);

  for (guint i = 0; i < pixes->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PePdfPage) page = pe_pdf_page_new (g_ptr_array_index (pixes, i),
                                                   PE_PDF_IMAGE_MRC, NULL, NULL, NULL, &error);
      g_autoptr(GBytes) alone = NULL;

      g_assert_no_error (error);
      alone = pe_pdf_page_serialize (page);
      /* the encoding time differs from run to run; it sits at bytes 36–43 */
      g_assert_cmpuint (g_bytes_get_size (alone), ==,
                        g_bytes_get_size (g_ptr_array_index (results, i)));
      g_assert_cmpint (memcmp (g_bytes_get_data (alone, NULL),
                               g_bytes_get_data (g_ptr_array_index (results, i), NULL), 36), ==,
                       0);
      g_assert_cmpint (memcmp ((const guint8 *) g_bytes_get_data (alone, NULL) + 44,
                               (const guint8 *) g_bytes_get_data (g_ptr_array_index (results, i),
                                                                  NULL) + 44,
                               g_bytes_get_size (alone) - 48), ==, 0);
    }
}

/* The text finder ------------------------------------------------------------------------- */

/* Colour is thresholded four pixels at a time where the CPU can; the grey path is plain C. On
 * a page whose grey is exactly the luminance the finder computes, both find the same text. */
static void
test_find_text_paths (void)
{
  static const char *const names[] = { "p0001.png", "p0005.png" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(PIX) pix = pe_test_load_sample_page (names[i]);
      g_autoptr(PIX) page = upscale_300 (pix);
      g_autoptr(PIX) grey = pixCreate (pixGetWidth (page), pixGetHeight (page), 8);
      g_autoptr(PIX) from_rgb = NULL;
      g_autoptr(PIX) from_grey = NULL;
      l_int32 same = 0, n = 0;

      g_assert_cmpint (pixGetDepth (page), ==, 32);
      for (int y = 0; y < pixGetHeight (page); y++)
        for (int x = 0; x < pixGetWidth (page); x++)
          {
            l_int32 r, g, b;

            pixGetRGBPixel (page, x, y, &r, &g, &b);
            pixSetPixel (grey, x, y, (77 * r + 128 * g + 51 * b + 128) >> 8);
          }
      pixCopyResolution (grey, page);
      from_rgb = _pe_pdf_mrc_find_text (page);
      from_grey = _pe_pdf_mrc_find_text (grey);
      pixCountPixels (from_rgb, &n, NULL);
      g_test_message ("%s: %d text pixels", names[i], n);
      g_assert_cmpint (n, >, 50000);
      pixEqual (from_rgb, from_grey, &same);
      g_assert_true (same);
    }
}

/* Specks of at most 2 × 2 pixels go, anything larger stays whole — here, with the specks
 * apart from other ink, exactly what labelling the components would keep. */
static void
test_find_text_specks (void)
{
  g_autoptr(PIX) page = pixCreate (1200, 900, 8);
  g_autoptr(PIX) ink = pixCreate (1200, 900, 1);
  g_autoptr(PIX) expected = NULL;
  g_autoptr(PIX) found = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  l_int32 same = 0, n_ink = 0, n_kept = 0;

  /* letters: strokes, an i's dot of 3 × 3, diagonal 3-pixel lines */
  for (guint i = 0; i < 60; i++)
    {
      int x = 30 + (i % 10) * 110, y = 40 + (i / 10) * 140;

      pixRasterop (ink, x, y, 4, 40, PIX_SET, NULL, 0, 0);
      pixRasterop (ink, x + 10, y, 3, 3, PIX_SET, NULL, 0, 0);
      for (int k = 0; k < 3; k++)
        pixSetPixel (ink, x + 20 + k, y + 20 + k, 1);
      pixRasterop (ink, x + 30, y + 30, 30, 1, PIX_SET, NULL, 0, 0);
    }
  /* specks 1 × 1 to 2 × 2, one on the page's edge, the others at least 2 pixels from any
   * other ink */
  pixRasterop (ink, 1199, 400, 1, 2, PIX_SET, NULL, 0, 0);
  for (guint i = 0; i < 400; i++)
    {
      int x = g_rand_int_range (rand, 2, 1195), y = g_rand_int_range (rand, 2, 895);
      int w = g_rand_int_range (rand, 1, 3), h = g_rand_int_range (rand, 1, 3);
      BOX *near = boxCreate (x - 2, y - 2, w + 4, h + 4);
      g_autoptr(PIX) around = pixClipRectangle (ink, near, NULL);
      l_int32 empty = 0;

      boxDestroy (&near);
      pixZero (around, &empty);
      if (!empty)
        continue;
      pixRasterop (ink, x, y, w, h, PIX_SET, NULL, 0, 0);
      if (w * h == 4 && (i % 2) == 0)
        pixSetPixel (ink, x, y, 0);   /* an L of three pixels */
    }
  pixCountPixels (ink, &n_ink, NULL);

  /* black ink on white paper: the threshold is exact, so only the specks differ */
  pixSetAll (page);
  pixPaintThroughMask (page, ink, 0, 0, 0);
  pixSetResolution (page, 300, 300);
  expected = pixSelectBySize (ink, 3, 3, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL);
  found = _pe_pdf_mrc_find_text (page);
  pixCountPixels (expected, &n_kept, NULL);
  g_test_message ("%d ink pixels, %d kept", n_ink, n_kept);
  g_assert_cmpint (n_kept, <, n_ink - 400);
  pixEqual (found, expected, &same);
  g_assert_true (same);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pdf/pdf-page/round-trip", test_round_trip);
  g_test_add_func ("/pdf/pdf-page/encodings", test_encodings);
  g_test_add_func ("/pdf/pdf-page/corrupt", test_corrupt);
  g_test_add_func ("/pdf/pdf-page/threads", test_threads);
  g_test_add_func ("/pdf/pdf-page/find-text-paths", test_find_text_paths);
  g_test_add_func ("/pdf/pdf-page/find-text-specks", test_find_text_specks);

  return g_test_run ();
}
