/* bench-encode.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Image encoding per page as the clean worker does it (issue 5): each page is cleaned as the
 * pipeline cleans it (pe_page_clean, default parameters), once with the colour policy forced
 * to bitonal — for CCITT G4 — and once with the default automatic policy, whose colour pages
 * are encoded as mixed raster content. Every encoding is timed @repeats times on one thread;
 * the median of the thread's CPU time is reported (and of the wall time, which on a shared
 * machine says more about the neighbours). Prints JSON.
 *
 *   bench-encode [--repeats N] [--cache-dir DIR] [--out-dir DIR] PAGE.png…
 *
 * --cache-dir keeps the cleaned pages as PNG (cleaning takes longer than encoding, and is not
 * what is measured); --out-dir writes each prepared page as a one-page PDF/A-2b file, for
 * tools/pdfa-check.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "pe-types.h"
#include "pe-page-clean.h"
#include "pe-pdf-page.h"
#include "pe-pdfa-writer.h"
#include "pe-pdf-image.h"
#include "pe-pdf-mrc.h"

static int repeats = 3;
static char *cache_dir = NULL;
static char *out_dir = NULL;

/* CPU time of this thread in ms: on a shared machine far steadier than the wall clock. */
static double
thread_ms (void)
{
  return pe_thread_cpu_seconds () * 1e3;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  guint n = values->len;

  if (n == 0)
    return 0;
  g_array_sort (values, cmp_double);
  if (n % 2 == 1)
    return g_array_index (values, double, n / 2);
  return (g_array_index (values, double, n / 2 - 1) + g_array_index (values, double, n / 2)) / 2;
}

/* The page cleaned with @policy; from the cache when it holds it. */
static PIX *
clean_page (const char    *path,
            PIX           *original,
            PeColorPolicy  policy,
            double        *clean_ms)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf ("%s-%s.png", base, pe_color_policy_to_string (policy));
  g_autofree char *cached = cache_dir ? g_build_filename (cache_dir, name, NULL) : NULL;
  g_autoptr(GError) error = NULL;
  PeCleanParams params;
  PeCleanReport report;
  PIX *clean;

  *clean_ms = -1;
  if (cached != NULL && g_file_test (cached, G_FILE_TEST_EXISTS))
    {
      clean = pixRead (cached);
      if (clean != NULL)
        return clean;
    }

  pe_clean_params_init_default (&params);
  params.color = policy;
  pe_clean_report_init (&report);
  clean = pe_page_clean (original, &params, &report, &error);
  *clean_ms = report.ms;
  pe_clean_report_clear (&report);
  if (clean == NULL)
    g_error ("%s: %s", path, error->message);
  if (cached != NULL)
    pixWrite (cached, clean, IFF_PNG);
  return clean;
}

typedef struct
{
  GArray *ms;          /* every page's median */
  GArray *kb;
  GArray *find_ms;
} Series;

static void
series_init (Series *s)
{
  s->ms = g_array_new (FALSE, FALSE, sizeof (double));
  s->kb = g_array_new (FALSE, FALSE, sizeof (double));
  s->find_ms = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
series_add (JsonBuilder *b,
            const char  *name,
            Series      *s)
{
  double sum_kb = 0, max_kb = 0;

  for (guint i = 0; i < s->kb->len; i++)
    {
      sum_kb += g_array_index (s->kb, double, i);
      max_kb = MAX (max_kb, g_array_index (s->kb, double, i));
    }
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pages");
  json_builder_add_int_value (b, s->ms->len);
  json_builder_set_member_name (b, "median_ms");
  json_builder_add_double_value (b, median (s->ms));
  json_builder_set_member_name (b, "mean_kb");
  json_builder_add_double_value (b, s->kb->len ? sum_kb / s->kb->len : 0);
  json_builder_set_member_name (b, "max_kb");
  json_builder_add_double_value (b, max_kb);
  if (s->find_ms->len > 0)
    {
      json_builder_set_member_name (b, "median_find_text_ms");
      json_builder_add_double_value (b, median (s->find_ms));
    }
  json_builder_end_object (b);
  g_array_unref (s->ms);
  g_array_unref (s->kb);
  g_array_unref (s->find_ms);
}

/* Encodes @pix @repeats times; the median CPU and wall time and the last page. */
static PePdfPage *
encode (PIX                *pix,
        PePdfImageEncoding  encoding,
        double             *ms,
        double             *wall_ms)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) walls = g_array_new (FALSE, FALSE, sizeof (double));
  PePdfPage *page = NULL;

  for (int k = 0; k < repeats; k++)
    {
      g_autoptr(GError) error = NULL;
      double start = thread_ms (), t, wall;

      g_clear_object (&page);
      page = pe_pdf_page_new (pix, encoding, NULL, NULL, NULL, &error);
      t = thread_ms () - start;
      if (page == NULL)
        g_error ("%s", error->message);
      wall = pe_pdf_page_get_encode_usec (page) / 1000.0;
      g_array_append_val (times, t);
      g_array_append_val (walls, wall);
    }
  *ms = median (times);
  *wall_ms = median (walls);
  return page;
}

static void
write_page (PePdfPage  *page,
            const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PePdfaWriter) writer = pe_pdfa_writer_new (PE_PDFA_2B, path, &error);

  if (writer == NULL || !pe_pdfa_writer_add_pdf_page (writer, page, NULL, NULL, &error) ||
      !pe_pdfa_writer_finish (writer, NULL, &error))
    g_error ("%s: %s", path, error->message);
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "repeats", 0, 0, G_OPTION_ARG_INT, &repeats, "Encodings per page (median)", "N" },
    { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &cache_dir, "Cleaned pages", "DIR" },
    { "out-dir", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, "One-page PDFs", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("PAGE.png…");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL;
  Series g4, mrc;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2 || repeats < 1)
    {
      fprintf (stderr, "%s\n", error ? error->message : "no pages given");
      return 2;
    }
  if (cache_dir != NULL)
    g_mkdir_with_parents (cache_dir, 0755);
  if (out_dir != NULL)
    g_mkdir_with_parents (out_dir, 0755);
  series_init (&g4);
  series_init (&mrc);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "repeats");
  json_builder_add_int_value (b, repeats);
  json_builder_set_member_name (b, "pages");
  json_builder_begin_array (b);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(PIX) original = pixRead (argv[i]);
      g_autoptr(PIX) bitonal = NULL;
      g_autoptr(PIX) colour = NULL;
      g_autoptr(PePdfPage) page = NULL;
      g_autofree char *base = g_path_get_basename (argv[i]);
      double clean_ms, ms, wall_ms, kb;

      if (original == NULL)
        g_error ("cannot read %s", argv[i]);
      if (pixGetXRes (original) <= 0)
        pixSetResolution (original, 300, 300);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "page");
      json_builder_add_string_value (b, argv[i]);

      bitonal = clean_page (argv[i], original, PE_COLOR_BITONAL, &clean_ms);
      g_assert (pixGetDepth (bitonal) == 1);
      page = encode (bitonal, PE_PDF_IMAGE_AUTO, &ms, &wall_ms);
      kb = pe_pdf_page_get_encoded_size (page) / 1024.0;
      g_array_append_val (g4.ms, ms);
      g_array_append_val (g4.kb, kb);
      json_builder_set_member_name (b, "g4");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, pe_pdf_page_get_width (page));
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, pe_pdf_page_get_height (page));
      json_builder_set_member_name (b, "ms");
      json_builder_add_double_value (b, ms);
      json_builder_set_member_name (b, "wall_ms");
      json_builder_add_double_value (b, wall_ms);
      json_builder_set_member_name (b, "kb");
      json_builder_add_double_value (b, kb);
      json_builder_end_object (b);
      if (out_dir != NULL)
        {
          g_autofree char *path = g_strdup_printf ("%s/%s-g4.pdf", out_dir, base);

          write_page (page, path);
        }
      g_clear_object (&page);

      colour = clean_page (argv[i], original, PE_COLOR_AUTO, &clean_ms);
      json_builder_set_member_name (b, "auto_depth");
      json_builder_add_int_value (b, pixGetDepth (colour));
      if (pixGetDepth (colour) != 1)
        {
          g_autoptr(GArray) find = g_array_new (FALSE, FALSE, sizeof (double));
          double find_ms;

          page = encode (colour, PE_PDF_IMAGE_MRC, &ms, &wall_ms);
          kb = pe_pdf_page_get_encoded_size (page) / 1024.0;
          /* the text finder alone, for the split of the time */
          for (int k = 0; k < repeats; k++)
            {
              double start = thread_ms ();
              g_autoptr(PIX) text = _pe_pdf_mrc_find_text (colour);
              double t = thread_ms () - start;

              g_assert (text != NULL);
              g_array_append_val (find, t);
            }
          find_ms = median (find);
          g_array_append_val (mrc.ms, ms);
          g_array_append_val (mrc.kb, kb);
          g_array_append_val (mrc.find_ms, find_ms);
          json_builder_set_member_name (b, "mrc");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "ms");
          json_builder_add_double_value (b, ms);
          json_builder_set_member_name (b, "wall_ms");
          json_builder_add_double_value (b, wall_ms);
          json_builder_set_member_name (b, "find_text_ms");
          json_builder_add_double_value (b, find_ms);
          json_builder_set_member_name (b, "kb");
          json_builder_add_double_value (b, kb);
          json_builder_set_member_name (b, "images");
          json_builder_add_int_value (b, pe_pdf_page_get_n_images (page));
          json_builder_end_object (b);
          if (out_dir != NULL)
            {
              g_autofree char *path = g_strdup_printf ("%s/%s-mrc.pdf", out_dir, base);

              write_page (page, path);
            }
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "summary");
  json_builder_begin_object (b);
  series_add (b, "g4", &g4);
  series_add (b, "mrc", &mrc);
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  out = json_to_string (root, TRUE);
  puts (out);

  g_free (cache_dir);
  g_free (out_dir);
  return 0;
}
