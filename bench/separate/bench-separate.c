/* bench-separate.c: separator detection and splitting on a generated corpus batch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * pe-bench-separate DIR [--reduction N] [--clean] [--mode separator|blank|pages]
 *                       [--pages N] [--texts T1;T2] [--repeat N]
 * DIR holds pages/pNNNN.png and truth.json (gen_letters.py). Prints one line per page, then
 * the detection time (median and maximum of the pe_separator_detect() calls, page decoding
 * not counted), precision and recall against the pages of kind "separator", and whether the
 * splitter made exactly the truth's documents. Exit status 0 only when all three hold:
 * precision and recall 100 % and the documents equal.
 * --clean detects on the page as the pipeline's clean worker has it (cleaned, upright grey);
 * blank flags always come from cleanup's blank test on the page (pe_clean_is_blank).
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "pe-page-clean.h"
#include "pe-separator.h"
#include "pe-splitter.h"

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *truth_path = NULL;
  g_autofree char *mode_name = NULL;
  g_autofree char *texts = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) split = g_array_new (FALSE, FALSE, sizeof (PeSplitPage));
  g_autoptr(GPtrArray) docs = NULL;
  g_autofree char *pages_text = NULL;
  PeSeparatorParams params;
  PeSplitParams split_params;
  PeCleanParams clean_params;
  PeSeparator sep;
  JsonArray *pages;
  int reduction = 0, split_pages = 0, repeat = 1;
  gboolean clean = FALSE;
  guint tp = 0, fp = 0, fn = 0, n_truth_docs;
  gboolean docs_ok;
  GOptionEntry entries[] = {
    { "reduction", 0, 0, G_OPTION_ARG_INT, &reduction, "1, 2, 4 or 0 (auto)", "N" },
    { "clean", 0, 0, G_OPTION_ARG_NONE, &clean, "detect on the cleaned grey page", NULL },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode_name, "split mode (default separator)", "M" },
    { "pages", 0, 0, G_OPTION_ARG_INT, &split_pages, "pages per document (mode pages)", "N" },
    { "texts", 0, 0, G_OPTION_ARG_STRING, &texts, "separator texts", "T1;T2" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "detections per page (timing)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("DIR");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("usage: %s DIR [options] (%s)\n", argv[0],
                  error ? error->message : "one directory");
      return 2;
    }

  pe_separator_params_init_default (&params);
  pe_separator_params_set_texts (&params, texts, NULL);
  params.reduction = reduction;
  pe_split_params_init_default (&split_params);
  if (split_pages > 0)
    pages_text = g_strdup_printf ("%d", split_pages);
  if (!pe_split_params_from_strings (&split_params, mode_name ? mode_name : "separator",
                                     pages_text, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  pe_clean_params_init_default (&clean_params);
  pe_separator_init (&sep);

  truth_path = g_build_filename (argv[1], "truth.json", NULL);
  if (!json_parser_load_from_file (parser, truth_path, &error))
    {
      g_printerr ("%s: %s\n", truth_path, error->message);
      return 2;
    }
  pages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "pages");
  n_truth_docs = json_array_get_length (
    json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                  "documents"));

  for (guint i = 0; i < json_array_get_length (pages); i++)
    {
      JsonObject *p = json_array_get_object_element (pages, i);
      const char *kind = json_object_get_string_member (p, "kind");
      g_autofree char *path = g_build_filename (argv[1],
                                                json_object_get_string_member (p, "file"),
                                                NULL);
      g_autoptr(PIX) pix = pixRead (path);
      g_autoptr(PIX) grey = NULL;
      g_autoptr(PIX) cleaned = NULL;
      gboolean truth_sep = g_strcmp0 (kind, "separator") == 0;
      PeSplitPage sp = { 0 };
      double ink = 0, best = G_MAXDOUBLE;
      PIX *input;

      if (pix == NULL)
        {
          g_printerr ("%s: cannot be read\n", path);
          return 2;
        }
      if (pixGetXRes (pix) == 0)
        {
          JsonNode *dpi = json_object_get_member (
            json_node_get_object (json_parser_get_root (parser)), "dpi");

          pixSetResolution (pix, json_node_get_int (dpi), json_node_get_int (dpi));
        }
      input = pix;
      if (clean)
        {
          PeCleanReport report;

          pe_clean_report_init (&report);
          cleaned = pe_page_clean_with_grey (pix, &clean_params, &report, &grey, &error);
          if (cleaned == NULL)
            {
              g_printerr ("%s: %s\n", path, error->message);
              return 2;
            }
          sp.blank = report.blank;
          pe_clean_report_clear (&report);
          input = grey;
        }
      else
        sp.blank = pe_clean_is_blank (pix, clean_params.blank_ink_ratio, &ink);

      for (int r = 0; r < MAX (repeat, 1); r++)
        {
          if (!pe_separator_detect (input, &params, &sep, &error))
            {
              g_printerr ("%s: %s\n", path, error->message);
              return 2;
            }
          best = MIN (best, sep.ms);
        }
      g_array_append_val (times, best);

      tp += truth_sep && sep.is_separator;
      fp += !truth_sep && sep.is_separator;
      fn += truth_sep && !sep.is_separator;
      g_print ("%s %-9s rot %3d  %s  blank %d  %5.1f ms  %u symbol(s)",
               json_object_get_string_member (p, "file"), kind,
               (int) json_object_get_int_member (p, "rotation"),
               sep.is_separator ? "SEP" : "   ", sp.blank, best, sep.symbols->len);
      for (guint s = 0; s < sep.symbols->len; s++)
        {
          PeSymbol *sym = g_ptr_array_index (sep.symbols, s);

          g_print (" [%s “%s” %u,%u %ux%u contrast %u%s]", sym->type, sym->text, sym->x,
                   sym->y, sym->width, sym->height, sym->contrast,
                   sym->matches ? "" : ", no separator");
        }
      g_print ("%s\n", truth_sep != sep.is_separator ? "  <-- WRONG" : "");

      sp.id = i + 1;
      sp.separator = sep.is_separator;
      sp.back_side = g_strcmp0 (json_object_get_string_member (p, "side"), "back") == 0;
      sp.sheet = json_object_get_int_member (p, "sheet");
      g_array_append_val (split, sp);
    }

  /* The truth's documents: content pages grouped by their doc index, in feed order. */
  docs = pe_split_documents (&g_array_index (split, PeSplitPage, 0), split->len,
                             &split_params);
  docs_ok = docs->len == n_truth_docs;
  for (guint d = 0; docs_ok && d < docs->len; d++)
    {
      GArray *ids = g_ptr_array_index (docs, d);
      guint expected = 0;

      for (guint i = 0; i < json_array_get_length (pages); i++)
        {
          JsonObject *p = json_array_get_object_element (pages, i);
          JsonNode *doc = json_object_get_member (p, "doc");

          if (!JSON_NODE_HOLDS_NULL (doc) && (guint) json_node_get_int (doc) == d)
            {
              if (expected >= ids->len || g_array_index (ids, gint64, expected) != i + 1)
                docs_ok = FALSE;
              expected++;
            }
        }
      docs_ok &= expected == ids->len;
    }

  g_array_sort (times, compare_double);
  g_print ("\n%u pages, reduction %u: detection median %.1f ms, max %.1f ms\n",
           times->len, sep.reduction, g_array_index (times, double, times->len / 2),
           g_array_index (times, double, times->len - 1));
  g_print ("separators: %u true, %u false positive, %u missed: precision %.1f %%, "
           "recall %.1f %%\n", tp, fp, fn, tp + fp ? 100.0 * tp / (tp + fp) : 100.0,
           tp + fn ? 100.0 * tp / (tp + fn) : 100.0);
  g_print ("split (%s): %u documents, truth %u: %s\n",
           pe_split_mode_to_string (split_params.mode), docs->len, n_truth_docs,
           docs_ok ? "identical" : "DIFFERENT");

  pe_separator_clear (&sep);
  pe_separator_params_clear (&params);
  return fp == 0 && fn == 0 && docs_ok ? 0 : 1;
}
