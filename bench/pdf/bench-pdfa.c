/* bench-pdfa.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Size and speed of the PDF/A writer on scanned pages (issue 6, item 8): every page once as a
 * black-and-white page (CCITT G4) and every colour page once as mixed raster content, each as
 * a one-page PDF/A-2b file (so each size includes the per-file colour profile, font and XMP),
 * plus one document of all pages of each kind. Prints JSON.
 *
 *   bench-pdfa [--ocr-dir DIR] [--out-dir DIR] [--mrc-dpi N] [--mrc-quality Q] PAGE.png…
 *
 * The text layer comes from DIR/PAGE.tsv (Tesseract TSV of the page) when it exists.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pe-types.h"
#include "pe-pdfa-writer.h"
#include "pe-pdfa-writer-private.h"
#include "pe-pdfa-verify.h"
#include "pe-pdf-image.h"
#include "pe-pdf-mrc.h"

typedef struct
{
  guint   n;
  double  kb;
  double  write_ms;
  double  encode_ms;
  double  finish_ms;
  double  verify_ms;
} Totals;

static char *ocr_dir = NULL;
static char *out_dir = NULL;
static int mrc_dpi = 100;
static int mrc_quality = 60;

static PeOcrResult *
load_ocr (const char *page)
{
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;
  g_autofree char *tsv = NULL;
  char *dot;

  if (ocr_dir == NULL)
    return NULL;
  base = g_path_get_basename (page);
  dot = strrchr (base, '.');
  if (dot != NULL)
    *dot = '\0';
  path = g_strdup_printf ("%s/%s.tsv", ocr_dir, base);
  if (!g_file_get_contents (path, &tsv, NULL, NULL))
    return NULL;
  return pe_ocr_result_new_from_tsv (tsv, NULL);
}

static void
pix_free (gpointer data)
{
  PIX *pix = data;

  pixDestroy (&pix);
}

static double
ms (gint64 usec)
{
  return usec / 1000.0;
}

/* Writes @pixes into one PDF/A-2b file; MRC when @mrc. Adds the numbers to @t and describes
 * the file in @b. */
static void
write_doc (const char   *path,
           PIX         **pixes,
           PeOcrResult **ocrs,
           guint         n,
           gboolean      mrc,
           Totals       *t,
           JsonBuilder  *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PePdfaWriter) writer = pe_pdfa_writer_new (PE_PDFA_2B, path, &error);
  PePdfMetadata md = { .title = "Benchmark", .sender = "bench-pdfa", .languages = "deu" };
  gint64 add_usec = 0, encode_usec = 0, start;
  GStatBuf st;
  guint pages = 0;

  if (writer == NULL)
    g_error ("%s", error->message);
  pe_pdfa_writer_set_mrc_background (writer, mrc_dpi, mrc_quality);
  for (guint i = 0; i < n; i++)
    {
      gboolean ok = mrc ? pe_pdfa_writer_add_page_mrc (writer, pixes[i], NULL, ocrs[i], NULL,
                                                       &error)
                        : pe_pdfa_writer_add_page (writer, pixes[i], PE_PDF_IMAGE_AUTO, NULL,
                                                   ocrs[i], NULL, &error);
      if (!ok)
        g_error ("%s", error->message);
    }
  _pe_pdfa_writer_get_timing (writer, &add_usec, &encode_usec);
  start = g_get_monotonic_time ();
  if (!pe_pdfa_writer_finish (writer, &md, &error))
    g_error ("%s", error->message);
  t->finish_ms += ms (g_get_monotonic_time () - start);

  start = g_get_monotonic_time ();
  if (!pe_pdfa_verify_structure (path, NULL, &pages, &error))
    g_error ("%s", error->message);
  t->verify_ms += ms (g_get_monotonic_time () - start);
  g_assert (pages == n);

  g_stat (path, &st);
  t->n += n;
  t->kb += st.st_size / 1024.0;
  t->write_ms += ms (add_usec - encode_usec);
  t->encode_ms += ms (encode_usec);

  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "kb");
  json_builder_add_double_value (b, st.st_size / 1024.0);
  json_builder_set_member_name (b, "encode_ms");
  json_builder_add_double_value (b, ms (encode_usec));
  json_builder_set_member_name (b, "write_ms");
  json_builder_add_double_value (b, ms (add_usec - encode_usec));
}

static void
add_mean (JsonBuilder  *b,
          const char   *name,
          const Totals *t)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pages");
  json_builder_add_int_value (b, t->n);
  if (t->n > 0)
    {
      json_builder_set_member_name (b, "kb_per_page");
      json_builder_add_double_value (b, t->kb / t->n);
      json_builder_set_member_name (b, "encode_ms_per_page");
      json_builder_add_double_value (b, t->encode_ms / t->n);
      json_builder_set_member_name (b, "write_ms_per_page");
      json_builder_add_double_value (b, t->write_ms / t->n);
      json_builder_set_member_name (b, "finish_ms_per_page");
      json_builder_add_double_value (b, t->finish_ms / t->n);
      json_builder_set_member_name (b, "verify_ms_per_page");
      json_builder_add_double_value (b, t->verify_ms / t->n);
    }
  json_builder_end_object (b);
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "ocr-dir", 0, 0, G_OPTION_ARG_FILENAME, &ocr_dir, "Tesseract TSV per page", "DIR" },
    { "out-dir", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, "Where the PDFs go", "DIR" },
    { "mrc-dpi", 0, 0, G_OPTION_ARG_INT, &mrc_dpi, "MRC background resolution", "DPI" },
    { "mrc-quality", 0, 0, G_OPTION_ARG_INT, &mrc_quality, "MRC background JPEG quality",
      "Q" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("PAGE.png…");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) bw_pixes = g_ptr_array_new_with_free_func (pix_free);
  g_autoptr(GPtrArray) bw_ocrs = g_ptr_array_new ();
  g_autoptr(GPtrArray) colour_pixes = g_ptr_array_new_with_free_func (pix_free);
  g_autoptr(GPtrArray) colour_ocrs = g_ptr_array_new ();
  g_autoptr(GPtrArray) all_ocrs = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                  pe_ocr_result_unref);
  Totals bw = { 0 }, colour = { 0 }, bw_doc = { 0 }, colour_doc = { 0 };
  double g4_ms = 0, binarize_ms = 0;
  g_autofree char *out = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2)
    {
      fprintf (stderr, "%s\n", error ? error->message : "no pages given");
      return 2;
    }
  if (out_dir == NULL)
    out_dir = g_dir_make_tmp ("bench-pdfa-XXXXXX", NULL);
  g_mkdir_with_parents (out_dir, 0755);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pages");
  json_builder_begin_array (b);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(PIX) pix = pixRead (argv[i]);
      g_autoptr(PIX) page = NULL;
      PeOcrResult *ocr = load_ocr (argv[i]);
      PIX *mask;
      gint64 start, best = G_MAXINT64;
      g_autofree char *base = g_path_get_basename (argv[i]);
      g_autofree char *bw_path = g_strdup_printf ("%s/%s-bw.pdf", out_dir, base);
      g_autofree char *mrc_path = g_strdup_printf ("%s/%s-mrc.pdf", out_dir, base);

      if (pix == NULL)
        g_error ("cannot read %s", argv[i]);
      if (pixGetXRes (pix) <= 0)
        pixSetResolution (pix, 300, 300);
      if (ocr != NULL)
        g_ptr_array_add (all_ocrs, ocr);
      page = _pe_pdf_image_normalize (pix);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "page");
      json_builder_add_string_value (b, argv[i]);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, pixGetWidth (page));
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, pixGetHeight (page));
      json_builder_set_member_name (b, "dpi");
      json_builder_add_int_value (b, pixGetXRes (page));
      json_builder_set_member_name (b, "ocr_words");
      json_builder_add_int_value (b, ocr ? pe_ocr_result_get_n_words (ocr) : 0);

      /* The black-and-white page as the cleanup stage would deliver it: background
       * normalisation and Otsu, the same text finder MRC uses. */
      start = g_get_monotonic_time ();
      mask = _pe_pdf_mrc_find_text (page);
      binarize_ms += ms (g_get_monotonic_time () - start);
      pixCopyResolution (mask, page);
      for (int k = 0; k < 3; k++)
        {
          g_autoptr(GBytes) g4 = NULL;

          start = g_get_monotonic_time ();
          g4 = _pe_pdf_image_encode_g4 (mask, NULL);
          best = MIN (best, g_get_monotonic_time () - start);
        }
      g4_ms += ms (best);
      json_builder_set_member_name (b, "g4_ms");
      json_builder_add_double_value (b, ms (best));

      json_builder_set_member_name (b, "bitonal");
      json_builder_begin_object (b);
      write_doc (bw_path, &mask, &ocr, 1, FALSE, &bw, b);
      json_builder_end_object (b);
      g_ptr_array_add (bw_pixes, mask);
      g_ptr_array_add (bw_ocrs, ocr);

      if (pixGetDepth (page) == 32)
        {
          json_builder_set_member_name (b, "mrc");
          json_builder_begin_object (b);
          write_doc (mrc_path, &page, &ocr, 1, TRUE, &colour, b);
          json_builder_end_object (b);
          g_ptr_array_add (colour_pixes, g_steal_pointer (&page));
          g_ptr_array_add (colour_ocrs, ocr);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  /* whole documents: the per-file objects shared by all pages */
  json_builder_set_member_name (b, "documents");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bitonal");
  json_builder_begin_object (b);
  {
    g_autofree char *path = g_strdup_printf ("%s/all-bw.pdf", out_dir);

    write_doc (path, (PIX **) bw_pixes->pdata, (PeOcrResult **) bw_ocrs->pdata, bw_pixes->len,
               FALSE, &bw_doc, b);
  }
  json_builder_end_object (b);
  if (colour_pixes->len > 0)
    {
      g_autofree char *path = g_strdup_printf ("%s/all-mrc.pdf", out_dir);

      json_builder_set_member_name (b, "mrc");
      json_builder_begin_object (b);
      write_doc (path, (PIX **) colour_pixes->pdata, (PeOcrResult **) colour_ocrs->pdata,
                 colour_pixes->len, TRUE, &colour_doc, b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "summary");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mrc_background_dpi");
  json_builder_add_int_value (b, mrc_dpi);
  json_builder_set_member_name (b, "mrc_background_quality");
  json_builder_add_int_value (b, mrc_quality);
  json_builder_set_member_name (b, "g4_encode_ms_per_page");
  json_builder_add_double_value (b, g4_ms / (argc - 1));
  json_builder_set_member_name (b, "binarize_ms_per_page");
  json_builder_add_double_value (b, binarize_ms / (argc - 1));
  add_mean (b, "bitonal_single_page_files", &bw);
  add_mean (b, "mrc_single_page_files", &colour);
  add_mean (b, "bitonal_document", &bw_doc);
  add_mean (b, "mrc_document", &colour_doc);
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  out = json_generator_to_data (gen, NULL);
  printf ("%s\n", out);

  g_free (ocr_dir);
  g_free (out_dir);
  return 0;
}
