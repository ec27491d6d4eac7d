/* bench-clean.c: runs the page cleanup over a gen_letters.py batch and prints one JSON object
 * per page (truth next to what the cleanup found); bench/cleanup/run summarises them.
 *
 *   pe-bench-clean [--rotate] [--repeat N] [--grey] [--no-setup] [--binarize otsu|sauvola]
 *                  [--color POLICY] [--write DIR] [--write-grey DIR] [--write-rotated DIR]
 *                  BATCH_DIR
 *   pe-bench-clean --measure [--dpi N] IMAGE...
 *
 * --rotate adds three synthetic copies of every content page, turned by 90/180/270° clockwise
 * (pixRotateOrth), so that orientation detection is measured on enough rotated pages;
 * --write-rotated saves those inputs (for Tesseract OSD). --repeat cleans each page N times
 * and reports the fastest run ("ms", wall clock inside the cleanup; "cpu_ms", the thread's CPU
 * time, which other jobs on a shared machine disturb less), which is what one free core does.
 * --grey also makes the OCR grey page, as the pipeline does (pe_page_clean_with_grey());
 * --no-setup leaves out pe_clean_setup_process(), which the app and CLI call at start.
 *
 * --measure takes image files instead (pages another tool cleaned: OCRmyPDF, unpaper, or ours)
 * and prints per file the skew left on it, as Leptonica's pixFindSkew() and as the cleanup
 * measure it, and the rotation the cleanup would still apply (0: upright); --dpi for files
 * without a resolution (default 300).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "pe-types.h"
#include "pe-page-clean.h"

/* CPU time of this thread in ms: on a shared machine far steadier than the wall clock. */
static double
thread_cpu_ms (void)
{
  return pe_thread_cpu_seconds () * 1e3;
}

static void
print_page (const char          *file,
            JsonObject          *truth,
            guint                expected_rotation,
            guint                synthetic,
            const PeCleanReport *report,
            double               cpu_ms,
            PIX                 *out)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, file);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, json_object_get_string_member (truth, "kind"));
  json_builder_set_member_name (b, "color_mode");
  json_builder_add_string_value (b, json_object_get_string_member (truth, "color_mode"));
  json_builder_set_member_name (b, "synthetic_rotation");
  json_builder_add_int_value (b, synthetic);
  json_builder_set_member_name (b, "truth_rotation");
  json_builder_add_int_value (b, json_object_get_int_member (truth, "rotation"));
  json_builder_set_member_name (b, "expected_correction");
  json_builder_add_int_value (b, expected_rotation);
  json_builder_set_member_name (b, "truth_skew");
  json_builder_add_double_value (b, json_object_get_double_member (truth, "skew_deg"));
  json_builder_set_member_name (b, "skew");
  json_builder_add_double_value (b, report->skew_deg);
  json_builder_set_member_name (b, "skew_conf");
  json_builder_add_double_value (b, report->skew_confidence);
  json_builder_set_member_name (b, "rotation");
  json_builder_add_int_value (b, report->rotation);
  json_builder_set_member_name (b, "orient_conf");
  json_builder_add_double_value (b, report->orientation_confidence);
  json_builder_set_member_name (b, "blank");
  json_builder_add_boolean_value (b, report->blank);
  json_builder_set_member_name (b, "ink_ratio");
  json_builder_add_double_value (b, report->ink_ratio);
  json_builder_set_member_name (b, "color_fraction");
  json_builder_add_double_value (b, report->color_fraction);
  json_builder_set_member_name (b, "chosen");
  json_builder_add_string_value (b, pe_color_policy_to_string (report->chosen));
  json_builder_set_member_name (b, "depth");
  json_builder_add_int_value (b, out != NULL ? pixGetDepth (out) : 0);
  json_builder_set_member_name (b, "border_edges");
  json_builder_add_int_value (b, report->n_border_edges);
  json_builder_set_member_name (b, "punch_holes");
  json_builder_add_int_value (b, report->n_punch_holes);
  json_builder_set_member_name (b, "ms");
  json_builder_add_double_value (b, report->ms);
  json_builder_set_member_name (b, "cpu_ms");
  json_builder_add_double_value (b, cpu_ms);
  json_builder_set_member_name (b, "orientation_ms");
  json_builder_add_double_value (b, report->orientation_ms);
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < report->steps->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (report->steps, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  /* Raw UTF-8: g_print would convert to the locale charset and mangle "°". */
  fputs (text, stdout);
  fputc ('\n', stdout);
}

/* The skew left on an already cleaned page, by two measures: Leptonica's pixFindSkew() on its
 * ink (independent of our detector), and what pe_page_clean() would still correct. */
static int
measure (int    n_files,
         char **files,
         int    dpi)
{
  PeCleanParams params;

  pe_clean_params_init_default (&params);
  params.min_skew_deg = 0;   /* report every skew found, also those too small to correct */
  for (int i = 0; i < n_files; i++)
    {
      g_autoptr(PIX) pix = pixRead (files[i]);
      g_autoptr(PIX) grey = NULL;
      g_autoptr(PIX) ink = NULL;
      g_autoptr(PIX) out = NULL;
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      l_float32 angle = 0, conf = 0;
      PeCleanReport report;

      if (pix == NULL)
        {
          g_printerr ("%s: cannot read\n", files[i]);
          return 1;
        }
      if (pixGetXRes (pix) <= 0)
        pixSetResolution (pix, dpi, dpi);
      grey = pe_clean_to_grey (pix);
      ink = grey != NULL ? pixThresholdToBinary (grey, 128) : NULL;
      if (ink == NULL || pixFindSkew (ink, &angle, &conf) != 0)
        angle = conf = 0;

      pe_clean_report_init (&report);
      out = pe_page_clean (pix, &params, &report, &error);
      if (out == NULL)
        {
          g_printerr ("%s: %s\n", files[i], error->message);
          return 1;
        }

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, files[i]);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, pixGetWidth (pix));
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, pixGetHeight (pix));
      json_builder_set_member_name (b, "lept_skew");
      json_builder_add_double_value (b, angle);
      json_builder_set_member_name (b, "lept_conf");
      json_builder_add_double_value (b, conf);
      json_builder_set_member_name (b, "skew");
      json_builder_add_double_value (b, report.skew_deg);
      json_builder_set_member_name (b, "skew_conf");
      json_builder_add_double_value (b, report.skew_confidence);
      json_builder_set_member_name (b, "rotation");
      json_builder_add_int_value (b, report.rotation);
      json_builder_set_member_name (b, "orient_conf");
      json_builder_add_double_value (b, report.orientation_confidence);
      json_builder_set_member_name (b, "blank");
      json_builder_add_boolean_value (b, report.blank);
      json_builder_end_object (b);
      pe_clean_report_clear (&report);

      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      text = json_generator_to_data (gen, NULL);
      fputs (text, stdout);
      fputc ('\n', stdout);
    }
  return 0;
}

int
main (int    argc,
      char **argv)
{
  gboolean rotate = FALSE;
  gboolean with_grey = FALSE;
  gboolean no_setup = FALSE;
  gboolean measure_files = FALSE;
  int dpi = 300;
  g_autofree char *write_grey = NULL;
  g_autofree char *write_rotated = NULL;
  int repeat = 1;
  g_autofree char *binarize = NULL;
  g_autofree char *write_dir = NULL;
  g_autofree char *policy = NULL;
  GOptionEntry entries[] = {
    { "rotate", 0, 0, G_OPTION_ARG_NONE, &rotate, "Add synthetic 90/180/270° copies", NULL },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Clean each page N times, report the fastest",
      "N" },
    { "grey", 0, 0, G_OPTION_ARG_NONE, &with_grey, "Make the OCR grey page too (as the pipeline)",
      NULL },
    { "no-setup", 0, 0, G_OPTION_ARG_NONE, &no_setup, "Without pe_clean_setup_process ()", NULL },
    { "write-rotated", 0, 0, G_OPTION_ARG_FILENAME, &write_rotated,
      "Write the synthetic rotated inputs (PNG)", "DIR" },
    { "write-grey", 0, 0, G_OPTION_ARG_FILENAME, &write_grey, "Write the OCR grey pages (PNG)",
      "DIR" },
    { "binarize", 0, 0, G_OPTION_ARG_STRING, &binarize, "otsu or sauvola", "METHOD" },
    { "color", 0, 0, G_OPTION_ARG_STRING, &policy, "auto, bitonal, grey or colour", "POLICY" },
    { "write", 0, 0, G_OPTION_ARG_FILENAME, &write_dir, "Write cleaned pages (PNG/TIFF)", "DIR" },
    { "measure", 0, 0, G_OPTION_ARG_NONE, &measure_files,
      "Measure the skew left on cleaned IMAGE files", NULL },
    { "dpi", 0, 0, G_OPTION_ARG_INT, &dpi, "Resolution of --measure files that have none", "N" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("BATCH_DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *truth_path = NULL;
  PeCleanParams params;
  JsonArray *pages;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (g_option_context_parse (ctx, &argc, &argv, &error) && measure_files && argc >= 2)
    {
      if (!no_setup)
        pe_clean_setup_process ();
      return measure (argc - 1, argv + 1, dpi);
    }
  if (error != NULL || argc != 2)
    {
      g_printerr ("%s\n", error != NULL ? error->message
                                        : "usage: pe-bench-clean BATCH_DIR, or --measure IMAGE…");
      return 2;
    }

  if (!no_setup)
    pe_clean_setup_process ();
  pe_clean_params_init_default (&params);
  if (g_strcmp0 (binarize, "sauvola") == 0)
    params.binarize = PE_BINARIZE_SAUVOLA;
  if (g_strcmp0 (policy, "bitonal") == 0)
    params.color = PE_COLOR_BITONAL;
  else if (g_strcmp0 (policy, "grey") == 0)
    params.color = PE_COLOR_GREY;
  else if (g_strcmp0 (policy, "colour") == 0)
    params.color = PE_COLOR_COLOR;

  truth_path = g_build_filename (argv[1], "truth.json", NULL);
  if (!json_parser_load_from_file (parser, truth_path, &error))
    {
      g_printerr ("%s: %s\n", truth_path, error->message);
      return 1;
    }
  pages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "pages");

  for (guint i = 0; i < json_array_get_length (pages); i++)
    {
      JsonObject *truth = json_array_get_object_element (pages, i);
      const char *file = json_object_get_string_member (truth, "file");
      g_autofree char *path = g_build_filename (argv[1], file, NULL);
      g_autoptr(PIX) pix = pixRead (path);
      guint truth_rotation = json_object_get_int_member (truth, "rotation");
      gboolean content = g_strcmp0 (json_object_get_string_member (truth, "kind"),
                                    "content") == 0;
      guint n = rotate && content ? 4 : 1;

      if (pix == NULL)
        {
          g_printerr ("%s: cannot read\n", path);
          return 1;
        }

      for (guint q = 0; q < n; q++)
        {
          g_autoptr(PIX) input = q == 0 ? pixClone (pix) : pixRotateOrth (pix, q);
          PeCleanReport report;
          g_autoptr(PIX) out = NULL;
          g_autoptr(PIX) grey = NULL;
          /* Content turned clockwise by R needs R counter-clockwise = 360 - R clockwise. */
          guint expected = (720 - truth_rotation - 90 * q) % 360;

          double best_ms = G_MAXDOUBLE, best_orientation_ms = G_MAXDOUBLE;
          double best_cpu = G_MAXDOUBLE;

          pe_clean_report_init (&report);
          for (int r = 0; r < (q == 0 ? MAX (repeat, 1) : 1); r++)
            {
              double cpu;

              pixDestroy (&out);
              pixDestroy (&grey);
              cpu = thread_cpu_ms ();
              out = pe_page_clean_with_grey (input, &params, &report,
                                             with_grey || (write_grey != NULL && q == 0)
                                             ? &grey : NULL,
                                             &error);
              cpu = thread_cpu_ms () - cpu;
              if (out == NULL)
                {
                  g_printerr ("%s: %s\n", path, error->message);
                  return 1;
                }
              best_ms = MIN (best_ms, report.ms);
              best_cpu = MIN (best_cpu, cpu);
              best_orientation_ms = MIN (best_orientation_ms, report.orientation_ms);
            }
          report.ms = best_ms;
          report.orientation_ms = best_orientation_ms;
          if (write_rotated != NULL && q > 0)
            {
              g_autofree char *base = g_path_get_basename (file);
              g_autofree char *stem = g_strndup (base, strcspn (base, "."));
              g_autofree char *name = g_strdup_printf ("%s-r%u.png", stem, 90 * q);
              g_autofree char *dest = g_build_filename (write_rotated, name, NULL);

              pixWrite (dest, input, IFF_PNG);
            }
          print_page (file, truth, expected, 90 * q, &report, best_cpu, out);

          if (write_dir != NULL && q == 0)
            {
              g_autofree char *base = g_path_get_basename (file);
              g_autofree char *stem = g_strndup (base, strcspn (base, "."));
              g_autofree char *name = g_strconcat (stem, pixGetDepth (out) == 1 ? ".tif" : ".png",
                                                   NULL);
              g_autofree char *dest = g_build_filename (write_dir, name, NULL);

              pixWrite (dest, out, pixGetDepth (out) == 1 ? IFF_TIFF_G4 : IFF_PNG);
            }
          if (grey != NULL && write_grey != NULL && q == 0)
            {
              g_autofree char *base = g_path_get_basename (file);
              g_autofree char *dest = g_build_filename (write_grey, base, NULL);

              pixWrite (dest, grey, IFF_PNG);
            }
          pe_clean_report_clear (&report);
        }
    }

  return 0;
}
