/* posteingang-cli.c: the pipeline headless, for scan centres and scripts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "pe-error.h"
#include "pe-outbox.h"
#include "pe-pipeline.h"
#include "pe-sane-device.h"
#include "pe-page-clean.h"
#include "pe-scan-profile.h"
#include "pe-scanner.h"
#include "pe-sim-feeder.h"
#include "pe-verify.h"

/* Exit codes, documented in --help and the README. */
enum
{
  EXIT_OK        = 0,
  EXIT_FAILURE_  = 1,   /* anything not listed below */
  EXIT_USAGE     = 2,
  EXIT_INPUT     = 3,   /* missing, corrupt, encrypted, unsupported or too large input */
  EXIT_DEVICE    = 4,   /* scanner not found or faulted (jam, cover open, no paper …) */
  EXIT_DELIVERY  = 5,   /* documents stay in the outbox to be retried */
  EXIT_STORE     = 6,   /* batch store or disk (full) */
  EXIT_MISMATCH  = 7,   /* verify: the file is not the one recorded, or not PDF/A */
  EXIT_CANCELLED = 130,
};

#define EXIT_CODES_HELP \
  N_("Exit status:\n" \
     "  0    success\n" \
     "  1    failure\n" \
     "  2    invalid command line\n" \
     "  3    input file missing, damaged, encrypted, unsupported or too large\n" \
     "  4    scanner not found or reporting a fault (jam, cover open, empty feeder …)\n" \
     "  5    delivery failed; the documents stay in the outbox and are retried\n" \
     "  6    batch store error or disk full\n" \
     "  7    verify: the file was changed, is unknown, or is not PDF/A\n" \
     "  130  cancelled")

/* Options shared by every command */
static char *opt_store;
static char *opt_outbox;
static char *opt_languages;
static char *opt_pdfa;
static char *opt_split;
static char *opt_split_pages;
static char *opt_separator_texts;
static gboolean opt_json;
static gboolean opt_quiet;

static const GOptionEntry common_entries[] = {
  { "store", 0, 0, G_OPTION_ARG_FILENAME, &opt_store,
    N_("Batch store folder (default: ~/.local/share/posteingang)"), N_("DIR") },
  { "outbox", 0, 0, G_OPTION_ARG_FILENAME, &opt_outbox,
    N_("Delivery folder (default: ./outbox)"), N_("DIR") },
  { "lang", 'l', 0, G_OPTION_ARG_STRING, &opt_languages,
    N_("OCR languages, e.g. deu or deu+eng (default: deu)"), N_("LANGS") },
  { "pdfa", 0, 0, G_OPTION_ARG_STRING, &opt_pdfa,
    N_("PDF/A level: 1b, 2b, 2u or 3b (default: 2b)"), N_("LEVEL") },
  { "split", 0, 0, G_OPTION_ARG_STRING, &opt_split,
    N_("Documents from a batch: separator (at separator sheets, the default), blank (also at "
       "blank sheets), pages (every --split-pages pages) or none"), N_("MODE") },
  { "split-pages", 0, 0, G_OPTION_ARG_STRING, &opt_split_pages,
    N_("Pages per document for --split pages"), N_("N") },
  { "separator-texts", 0, 0, G_OPTION_ARG_STRING, &opt_separator_texts,
    N_("Texts of separator codes, separated by “;” (default: PATCHT)"), N_("TEXTS") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
    N_("Print machine-readable JSON on standard output"), NULL },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
    N_("Print no progress"), NULL },
  { NULL }
};

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  GAsyncResult *result;
  GAsyncResult *process_result;  /* of a process run begun with the acquisition */
  gboolean      processing;      /* such a run is going on */
  gboolean      progress_shown;
} Cli;

static Cli cli;

static int
exit_code_for_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return EXIT_CANCELLED;
  if (error->domain == G_IO_ERROR &&
      (error->code == G_IO_ERROR_NOT_FOUND || error->code == G_IO_ERROR_PERMISSION_DENIED))
    return EXIT_INPUT;
  if (error->domain != PE_ERROR)
    return EXIT_FAILURE_;

  switch ((PeErrorCode) error->code)
    {
    case PE_ERROR_NOT_FOUND:
    case PE_ERROR_CORRUPT:
    case PE_ERROR_UNSUPPORTED:
    case PE_ERROR_ENCRYPTED:
    case PE_ERROR_TOO_LARGE:
      return EXIT_INPUT;
    case PE_ERROR_DEVICE:
    case PE_ERROR_DEVICE_BUSY:
    case PE_ERROR_JAMMED:
    case PE_ERROR_COVER_OPEN:
    case PE_ERROR_NO_DOCS:
    case PE_ERROR_ACCESS_DENIED:
    case PE_ERROR_SHEET_MISMATCH:
      return EXIT_DEVICE;
    case PE_ERROR_DELIVERY:
      return EXIT_DELIVERY;
    case PE_ERROR_STORE:
    case PE_ERROR_NO_SPACE:
      return EXIT_STORE;
    case PE_ERROR_INVALID:
      return EXIT_USAGE;
    case PE_ERROR_FAILED:
    case PE_ERROR_OCR:
    case PE_ERROR_PDF:
    default:
      return EXIT_FAILURE_;
    }
}

static int
report_error (const GError *error)
{
  if (cli.progress_shown)
    g_printerr ("\n");
  /* TRANSLATORS: prefix of an error message on the terminal */
  g_printerr (_("Error: %s\n"), error->message);
  return exit_code_for_error (error);
}

static gboolean
show_progress (void)
{
  return !opt_quiet && isatty (STDERR_FILENO);
}

static const char *
stage_label (const char *stage)
{
  if (g_str_equal (stage, "scan"))
    return _("Scanning");
  if (g_str_equal (stage, "import"))
    return _("Importing");
  if (g_str_equal (stage, "ocr"))
    return _("Recognising text");
  if (g_str_equal (stage, "pdf"))
    return _("Writing PDF/A");
  if (g_str_equal (stage, "deliver"))
    return _("Delivering");
  return stage;
}

static void
progress_cb (PePipeline *pipeline,
             const char *stage,
             guint       done,
             guint       total,
             gpointer    user_data)
{
  if (!show_progress ())
    return;

  cli.progress_shown = TRUE;
  /* Back to the start of the line and clear it. */
  g_printerr ("\r\033[K");
  if (total > 0)
    /* TRANSLATORS: progress line: stage, done, total */
    g_printerr (_("%s: %u of %u"), stage_label (stage), done, total);
  else
    /* TRANSLATORS: progress line: stage, pages so far */
    g_printerr (_("%s: page %u"), stage_label (stage), done);
}

static void
async_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  cli.result = g_object_ref (result);
  g_main_loop_quit (cli.loop);
}

/* A process run started alongside an acquisition reports here, whenever it ends. */
static void
process_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  cli.process_result = g_object_ref (result);
  g_main_loop_quit (cli.loop);
}

static GAsyncResult *
wait_for_result (void)
{
  /* The loop also stops when a process run alongside ends first. */
  while (cli.result == NULL)
    g_main_loop_run (cli.loop);
  if (cli.progress_shown)
    {
      g_printerr ("\n");
      cli.progress_shown = FALSE;
    }
  return g_steal_pointer (&cli.result);
}

static gboolean
on_sigint (gpointer user_data)
{
  g_cancellable_cancel (cli.cancellable);
  return G_SOURCE_CONTINUE;
}

static char *
default_store_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "posteingang", NULL);
}

static PePipeline *
open_pipeline (GError **error)
{
  g_autofree char *store = opt_store ? g_strdup (opt_store) : default_store_dir ();
  g_autoptr(PePipeline) pipeline = pe_pipeline_new (store, error);

  if (pipeline == NULL)
    return NULL;

  if (opt_languages != NULL)
    pe_pipeline_set_languages (pipeline, opt_languages);
  if (opt_outbox != NULL)
    pe_pipeline_set_outbox_dir (pipeline, opt_outbox);
  if (opt_pdfa != NULL)
    {
      PePdfaLevel level;

      if (!pe_pdfa_level_from_string (opt_pdfa, &level))
        {
          g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                       _("Unknown PDF/A level “%s”. Use 1b, 2b, 2u or 3b."), opt_pdfa);
          return NULL;
        }
      pe_pipeline_set_pdfa_level (pipeline, level);
    }
  if (opt_split != NULL || opt_split_pages != NULL || opt_separator_texts != NULL)
    {
      PeSplitParams split;

      pe_split_params_init_default (&split);
      split.mode = PE_SPLIT_SEPARATOR;
      if (!pe_split_params_from_strings (&split, opt_split, opt_split_pages, NULL, error) ||
          !pe_pipeline_set_split (pipeline, &split, opt_separator_texts, error))
        return NULL;
    }
  g_signal_connect (pipeline, "progress", G_CALLBACK (progress_cb), NULL);

  return g_steal_pointer (&pipeline);
}

/* The engines go first, in this thread: a task finishing in a worker thread may hold the last
 * reference to the pipeline, and exit() must not run Tesseract's static destructors while
 * they are still alive (they print "LEAK" warnings). */
static void
close_pipeline (PePipeline *pipeline)
{
  pe_pipeline_release_ocr (pipeline);
  g_object_unref (pipeline);
}

typedef PePipeline *CliPipeline;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (CliPipeline, close_pipeline, NULL)

static GOptionContext *
command_context (const char         *parameters,
                 const char         *summary,
                 const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameters);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, _(EXIT_CODES_HELP));
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  {
    GOptionGroup *group = g_option_group_new ("common", _("Common options:"),
                                              _("Show common options"), NULL, NULL);

    g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
    g_option_group_add_entries (group, common_entries);
    g_option_context_add_group (context, group);
  }
  return context;
}

static gboolean
parse_command (GOptionContext  *context,
               int             *argc,
               char          ***argv,
               int             *status)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s\n", error->message);
      g_printerr (_("Run “%s --help” for the options.\n"), g_get_prgname ());
      *status = EXIT_USAGE;
      return FALSE;
    }
  return TRUE;
}

/* --- JSON output --------------------------------------------------------------------------- */

static void
add_string (JsonBuilder *b,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

static void
add_int (JsonBuilder *b,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, value);
}

static void
add_double (JsonBuilder *b,
            const char  *member,
            double       value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_double_value (b, value);
}

/* Prints what @b built as pretty JSON on standard output. */
static void
print_json (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *out = json_to_string (root, TRUE);

  g_print ("%s\n", out);
}

/* --- process (shared by scan/import --process) ------------------------------------------- */

static void
print_summary (PePipeline             *pipeline,
               gint64                  batch,
               const PeProcessSummary *s,
               const GError           *error)
{
  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_int (b, "batch", batch);
      add_int (b, "documents", s->documents);
      add_int (b, "pages", s->pages);
      add_double (b, "seconds", s->seconds);
      add_double (b, "decode_seconds", s->decode_seconds);
      add_double (b, "clean_seconds", s->clean_seconds);
      add_double (b, "ocr_seconds", s->ocr_seconds);
      add_double (b, "pdf_seconds", s->pdf_seconds);
      add_double (b, "tesseract_cpu_seconds", s->tesseract_seconds);
      add_double (b, "encode_seconds", s->encode_seconds);
      add_string (b, "outbox", pe_pipeline_get_outbox_dir (pipeline));
      json_builder_set_member_name (b, "error");
      if (error != NULL)
        json_builder_add_string_value (b, error->message);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      print_json (b);
    }
  else if (error == NULL)
    {
      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "Batch %lld: %u document delivered",
                            "Batch %lld: %u documents delivered",
                            s->documents),
               (long long) batch, s->documents);
      g_print (g_dngettext (GETTEXT_PACKAGE, ", %u page", ", %u pages", s->pages), s->pages);
      /* TRANSLATORS: end of the summary line: total seconds, then the stages' seconds */
      g_print (_(" in %.1f s (cleanup and text recognition %.1f s, PDF/A %.1f s; CPU time: "
                 "decoding %.1f s, cleanup %.1f s, image encoding %.1f s, Tesseract %.1f s)\n"),
               s->seconds, s->ocr_seconds, s->pdf_seconds, s->decode_seconds, s->clean_seconds,
               s->encode_seconds, s->tesseract_seconds);
      g_print (_("Files are in %s\n"), pe_pipeline_get_outbox_dir (pipeline));
    }
}

/* Started right after the scan or import of @batch, the run reads pages while the next ones
 * are still being acquired. */
static void
start_process (PePipeline *pipeline,
               gint64      batch)
{
  cli.processing = TRUE;
  pe_pipeline_process_async (pipeline, batch, cli.cancellable, process_done, NULL);
}

/* Waits for the run start_process() began; the caller already reported the acquisition's
 * error, so the run's own ("stopped early") is not repeated. */
static void
finish_started_process (PePipeline *pipeline)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!cli.processing)
    return;
  while (cli.process_result == NULL)
    g_main_loop_run (cli.loop);
  result = g_steal_pointer (&cli.process_result);
  cli.processing = FALSE;
  pe_pipeline_process_finish (pipeline, result, NULL, NULL);
}

static int
run_process (PePipeline *pipeline,
             gint64      batch)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PeProcessSummary summary = { 0 };

  if (!cli.processing)
    start_process (pipeline, batch);
  while (cli.process_result == NULL)
    g_main_loop_run (cli.loop);
  if (cli.progress_shown)
    {
      g_printerr ("\n");
      cli.progress_shown = FALSE;
    }
  result = g_steal_pointer (&cli.process_result);
  cli.processing = FALSE;
  pe_pipeline_process_finish (pipeline, result, &summary, &error);
  print_summary (pipeline, batch, &summary, error);

  return error ? report_error (error) : EXIT_OK;
}

static void
print_acquired (gint64        batch,
                guint         pages,
                const GError *error)
{
  if (opt_json)
    {
      if (error != NULL)
        g_print ("{\"batch\": %" G_GINT64_FORMAT ", \"pages\": %u, \"error\": true}\n",
                 batch, pages);
      else
        g_print ("{\"batch\": %" G_GINT64_FORMAT ", \"pages\": %u}\n", batch, pages);
    }
  else
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "Batch %lld: %u page recorded\n",
                          "Batch %lld: %u pages recorded\n", pages),
             (long long) batch, pages);
}

/* --- devices ----------------------------------------------------------------------------- */

static int
cmd_devices (int    argc,
             char **argv)
{
  static gboolean local_only;
  const GOptionEntry entries[] = {
    { "local", 0, 0, G_OPTION_ARG_NONE, &local_only, N_("Only local devices, no network"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context ("", _("List scanners."), entries);
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;

  if (!parse_command (context, &argc, &argv, &status))
    return status;

  devices = pe_sane_list_devices (local_only, cli.cancellable, &error);
  if (devices == NULL)
    return report_error (error);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < devices->len; i++)
        {
          PeDeviceInfo *d = g_ptr_array_index (devices, i);

          json_builder_begin_object (b);
          add_string (b, "name", d->name);
          add_string (b, "vendor", d->vendor);
          add_string (b, "model", d->model);
          add_string (b, "type", d->type);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      print_json (b);
    }
  else if (devices->len == 0)
    g_print (_("No scanners found. Check that the scanner is switched on and connected.\n"));
  else
    for (guint i = 0; i < devices->len; i++)
      {
        PeDeviceInfo *d = g_ptr_array_index (devices, i);
        g_autofree char *label = pe_device_info_dup_label (d);

        g_print ("%-28s %s\n", d->name, label);
      }

  return EXIT_OK;
}

/* --- scan -------------------------------------------------------------------------------- */

static int
list_profiles (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = pe_scan_profile_load_all (&error);

  if (profiles == NULL)
    return report_error (error);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < profiles->len; i++)
        {
          PeScanProfile *p = g_ptr_array_index (profiles, i);

          json_builder_begin_object (b);
          add_string (b, "id", pe_scan_profile_get_id (p));
          add_string (b, "name", pe_scan_profile_get_name (p));
          add_string (b, "source", pe_scan_profile_get_source (p));
          add_int (b, "resolution", pe_scan_profile_get_resolution (p));
          add_string (b, "mode", pe_scan_profile_get_mode (p));
          add_string (b, "file", pe_scan_profile_get_file (p));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      print_json (b);
    }
  else if (profiles->len == 0)
    g_print (_("No scan profiles are defined.\n"));
  else
    for (guint i = 0; i < profiles->len; i++)
      {
        PeScanProfile *p = g_ptr_array_index (profiles, i);

        g_print ("%-24s %s\n", pe_scan_profile_get_id (p), pe_scan_profile_get_name (p));
      }

  return EXIT_OK;
}

/* Profile options first, then those given on the command line, so that the latter win where
 * both set the same option. */
static char **
merge_options (const char *const *from_profile,
               char             **from_command_line)
{
  GPtrArray *all = g_ptr_array_new ();

  for (guint i = 0; from_profile != NULL && from_profile[i] != NULL; i++)
    g_ptr_array_add (all, g_strdup (from_profile[i]));
  for (guint i = 0; from_command_line != NULL && from_command_line[i] != NULL; i++)
    g_ptr_array_add (all, g_strdup (from_command_line[i]));
  g_ptr_array_add (all, NULL);
  return (char **) g_ptr_array_free (all, FALSE);
}

/* Waits for a line on standard input without blocking the main loop, so Ctrl-C still
 * cancels. FALSE on cancel or end of input. */
static gboolean
wait_for_enter (GError **error)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *line = NULL;

  g_data_input_stream_read_line_async (data, G_PRIORITY_DEFAULT, cli.cancellable, async_done,
                                       NULL);
  result = wait_for_result ();
  line = g_data_input_stream_read_line_finish (data, result, NULL, error);
  if (line == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         _("No answer on standard input: the backs were not scanned."));
  return line != NULL;
}

static guint
scan_pass (PePipeline          *pipeline,
           gint64               batch,
           PeScanner           *scanner,
           const PeScanOptions *so,
           PeSimFeeder         *feeder,
           gboolean             with_process,
           GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pe_pipeline_scan_async (pipeline, batch, scanner, so,
                          feeder ? pe_sim_feeder_sheet_func : NULL, feeder,
                          cli.cancellable, async_done, NULL);
  if (with_process)
    start_process (pipeline, batch);
  result = wait_for_result ();
  return pe_pipeline_scan_finish (pipeline, result, error);
}

/* A profile's value for an option the command line left out. */
static void
option_default (char       **opt,
                const char  *value)
{
  if (*opt == NULL && value != NULL)
    *opt = g_strdup (value);
}

static int
cmd_scan (int    argc,
          char **argv)
{
  static char *device, *source, *mode, *profile_id;
  static int resolution, max_pages;
  static gint64 batch;
  static char **options, **feed, **backs_feed;
  static gboolean process, list;
  const GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device,
      N_("SANE device (see “devices”; default: the first one)"), N_("NAME") },
    { "profile", 'P', 0, G_OPTION_ARG_STRING, &profile_id,
      N_("Scan profile (see --list-profiles); the options below override it"), N_("ID") },
    { "list-profiles", 0, 0, G_OPTION_ARG_NONE, &list, N_("List the scan profiles and exit"),
      NULL },
    { "source", 's', 0, G_OPTION_ARG_STRING, &source,
      N_("flatbed, adf, duplex or the device’s own source name"), N_("SOURCE") },
    { "resolution", 'r', 0, G_OPTION_ARG_INT, &resolution, N_("Resolution in dpi"), N_("DPI") },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, N_("color, gray or lineart"), N_("MODE") },
    { "option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &options,
      N_("Set a device option (repeatable)"), N_("NAME=VALUE") },
    { "max-pages", 0, 0, G_OPTION_ARG_INT, &max_pages, N_("Stop after this many pages"),
      N_("N") },
    { "feed", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &feed,
      N_("Simulated scanner: feed these image files through pnm:0, one per sheet "
         "(repeatable)"), N_("FILE") },
    { "feed-backs", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &backs_feed,
      N_("Simulated scanner, manual duplex: the backs pass, last sheet first (repeatable)"),
      N_("FILE") },
    { "batch", 'b', 0, G_OPTION_ARG_INT64, &batch, N_("Append to this batch"), N_("ID") },
    { "process", 'p', 0, G_OPTION_ARG_NONE, &process,
      N_("Then recognise, build PDF/A and deliver"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context ("", _("Scan pages into a batch."),
                                                       entries);
  g_auto(CliPipeline) pipeline = NULL;
  g_autoptr(PeScanner) scanner = NULL;
  g_autoptr(PeSimFeeder) feeder = NULL;
  g_autoptr(PeSimFeeder) backs_feeder = NULL;
  g_autoptr(PeScanProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) all_options = NULL;
  PeScanOptions so = { 0 };
  gboolean manual_duplex = FALSE;
  int status = EXIT_OK;
  guint pages;
  guint fronts = 0;

  if (!parse_command (context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    {
      g_printerr (_("Unexpected argument “%s”.\n"), argv[1]);
      return EXIT_USAGE;
    }
  if (list)
    return list_profiles ();

  if (profile_id != NULL)
    {
      profile = pe_scan_profile_lookup (profile_id, &error);
      if (profile == NULL)
        {
          report_error (error);
          /* A wrong profile name is a wrong command line. */
          return g_error_matches (error, PE_ERROR, PE_ERROR_NOT_FOUND) ? EXIT_USAGE
                                                                      : EXIT_FAILURE_;
        }
      pe_scan_profile_to_options (profile, &so);
      /* An explicit --source means one ordinary pass. */
      manual_duplex = pe_scan_profile_is_manual_duplex (profile) && source == NULL;
      option_default (&opt_languages, pe_scan_profile_get_languages (profile));
      option_default (&opt_pdfa, pe_scan_profile_get_pdfa (profile));
      option_default (&opt_split, pe_scan_profile_get_value (profile, "SplitMode"));
      option_default (&opt_split_pages, pe_scan_profile_get_value (profile, "SplitPages"));
      option_default (&opt_separator_texts,
                      pe_scan_profile_get_value (profile, "SeparatorTexts"));
    }
  if (backs_feed != NULL && !manual_duplex)
    {
      g_printerr (_("--feed-backs needs a manual duplex profile (Source=manual-duplex).\n"));
      return EXIT_USAGE;
    }

  pipeline = open_pipeline (&error);
  if (pipeline == NULL)
    return report_error (error);
  /* The profile's cleanup settings for the pages of this scan. */
  if (profile != NULL)
    {
      PeCleanParams clean;

      if (!pe_scan_profile_to_clean_params (profile, &clean, &error))
        return report_error (error);
      pe_pipeline_set_clean_params (pipeline, &clean);
    }

  if (feed != NULL)
    {
      feeder = pe_sim_feeder_new ((const char * const *) feed, &error);
      if (feeder == NULL)
        return report_error (error);
      if (device == NULL)
        device = g_strdup ("pnm:0");
    }
  if (backs_feed != NULL)
    {
      backs_feeder = pe_sim_feeder_new ((const char * const *) backs_feed, &error);
      if (backs_feeder == NULL)
        return report_error (error);
    }
  if (device == NULL)
    {
      g_autoptr(GPtrArray) devices = pe_sane_list_devices (FALSE, cli.cancellable, &error);

      if (devices == NULL)
        return report_error (error);
      if (devices->len == 0)
        {
          g_printerr (_("Error: No scanner found. Connect a scanner, or name one with "
                        "--device.\n"));
          return EXIT_DEVICE;
        }
      device = g_strdup (((PeDeviceInfo *) g_ptr_array_index (devices, 0))->name);
    }

  if (batch == 0)
    {
      g_autofree char *label = g_strdup_printf (_("Scan from %s"), device);

      batch = pe_pipeline_new_batch (pipeline, label, &error);
      if (batch == 0)
        return report_error (error);
    }

  /* The simulated scanner (pnm:0) returns the files as they are and has no source or mode:
   * of a profile only the manual duplex passes and the later stages' settings apply. */
  if (feeder != NULL)
    {
      so.source = NULL;
      so.mode = NULL;
      so.resolution = 0;
      so.page_size = NULL;
      so.options = NULL;
    }
  /* What the command line says wins over the profile. */
  if (source != NULL)
    so.source = source;
  if (resolution > 0)
    so.resolution = resolution;
  if (mode != NULL)
    so.mode = mode;
  all_options = merge_options (so.options, options);
  so.options = (const char * const *) all_options;
  if (max_pages > 0)
    so.max_pages = max_pages;

  scanner = pe_scanner_new (device);
  /* A manual duplex run is collated after its second pass, so it is read after that. */
  pages = scan_pass (pipeline, batch, scanner, &so, feeder, process && !manual_duplex, &error);

  if (error == NULL && manual_duplex)
    {
      fronts = pages;
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "%u front scanned. Turn the stack over (the last sheet comes "
                               "first), put it back into the feeder, then press Enter.\n",
                               "%u fronts scanned. Turn the stack over (the last sheet comes "
                               "first), put it back into the feeder, then press Enter.\n",
                               fronts), fronts);
      if (wait_for_enter (&error))
        {
          so.backs_of = fronts;
          pages += scan_pass (pipeline, batch, scanner, &so,
                              backs_feeder ? backs_feeder : feeder, FALSE, &error);
        }
      if (error == NULL)
        pe_pipeline_collate_manual_duplex (pipeline, batch, fronts, pages - fronts, &error);
    }

  if (error != NULL)
    {
      finish_started_process (pipeline);
      if (pages > 0)
        g_printerr (g_dngettext (GETTEXT_PACKAGE,
                                 "%u page was recorded in batch %lld and is kept; "
                                 "continue with --batch %lld.\n",
                                 "%u pages were recorded in batch %lld and are kept; "
                                 "continue with --batch %lld.\n",
                                 pages),
                    pages, (long long) batch, (long long) batch);
      if (opt_json)
        print_acquired (batch, pages, error);
      status = report_error (error);
      /* Here "not found" is the scanner, not an input file. */
      return g_error_matches (error, PE_ERROR, PE_ERROR_NOT_FOUND) ? EXIT_DEVICE : status;
    }

  if (!process)
    {
      print_acquired (batch, pages, NULL);
      return EXIT_OK;
    }
  if (!opt_json)
    print_acquired (batch, pages, NULL);

  return run_process (pipeline, batch);
}

/* --- import ------------------------------------------------------------------------------ */

static int
cmd_import (int    argc,
            char **argv)
{
  static gint64 batch;
  static gboolean process;
  const GOptionEntry entries[] = {
    { "batch", 'b', 0, G_OPTION_ARG_INT64, &batch, N_("Append to this batch"), N_("ID") },
    { "process", 'p', 0, G_OPTION_ARG_NONE, &process,
      N_("Then recognise, build PDF/A and deliver"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context (
    _("FILE…"), _("Import PNG, TIFF, JPEG or PDF files into a batch, pages in order."), entries);
  g_auto(CliPipeline) pipeline = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;
  guint pages;

  if (!parse_command (context, &argc, &argv, &status))
    return status;
  if (argc < 2)
    {
      g_printerr (_("Name at least one file to import.\n"));
      return EXIT_USAGE;
    }

  pipeline = open_pipeline (&error);
  if (pipeline == NULL)
    return report_error (error);

  if (batch == 0)
    {
      g_autofree char *base = g_path_get_basename (argv[1]);
      g_autofree char *label = g_strdup_printf (_("Import of %s"), base);

      batch = pe_pipeline_new_batch (pipeline, label, &error);
      if (batch == 0)
        return report_error (error);
    }

  pe_pipeline_import_async (pipeline, batch, (const char * const *) argv + 1, cli.cancellable,
                            async_done, NULL);
  if (process)
    start_process (pipeline, batch);
  result = wait_for_result ();
  pages = pe_pipeline_import_finish (pipeline, result, &error);
  if (error != NULL)
    {
      finish_started_process (pipeline);
      if (opt_json)
        print_acquired (batch, pages, error);
      return report_error (error);
    }

  if (!opt_json || !process)
    print_acquired (batch, pages, NULL);
  if (!process)
    return EXIT_OK;

  return run_process (pipeline, batch);
}

/* --- process ----------------------------------------------------------------------------- */

static int
list_batches (PePipeline *pipeline)
{
  PeStore *store = pe_pipeline_get_store (pipeline);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = pe_store_list_batches (store, &error);

  if (ids == NULL)
    return report_error (error);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(GPtrArray) pages = pe_store_list_pages (store, id, NULL);
      g_autoptr(GPtrArray) docs = pe_store_list_documents (store, id, NULL);
      guint delivered = 0;

      for (guint j = 0; docs != NULL && j < docs->len; j++)
        if (((PeDocumentRecord *) g_ptr_array_index (docs, j))->state == PE_DOCUMENT_DELIVERED)
          delivered++;
      guint n_pages = pages ? pages->len : 0;
      guint n_docs = docs ? docs->len : 0;

      g_print ("%lld\t", (long long) id);
      g_print (g_dngettext (GETTEXT_PACKAGE, "%u page", "%u pages", n_pages), n_pages);
      g_print ("\t");
      g_print (g_dngettext (GETTEXT_PACKAGE, "%u document", "%u documents", n_docs), n_docs);
      g_print ("\t");
      /* TRANSLATORS: number of documents of a batch already delivered */
      g_print (_("%u delivered"), delivered);
      g_print ("\n");
    }
  return EXIT_OK;
}

static int
cmd_process (int    argc,
             char **argv)
{
  static gint64 batch;
  static gboolean list;
  const GOptionEntry entries[] = {
    { "batch", 'b', 0, G_OPTION_ARG_INT64, &batch, N_("Batch to process (default: the newest)"),
      N_("ID") },
    { "list", 0, 0, G_OPTION_ARG_NONE, &list, N_("List the batches in the store"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = command_context (
    "", _("Recognise text, build PDF/A and deliver a batch; resumes where it stopped."), entries);
  g_auto(CliPipeline) pipeline = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;

  if (!parse_command (context, &argc, &argv, &status))
    return status;

  pipeline = open_pipeline (&error);
  if (pipeline == NULL)
    return report_error (error);
  if (list)
    return list_batches (pipeline);

  if (batch == 0)
    {
      g_autoptr(GArray) ids = pe_store_list_batches (pe_pipeline_get_store (pipeline), &error);

      if (ids == NULL)
        return report_error (error);
      if (ids->len == 0)
        {
          g_printerr (_("Error: The batch store is empty. Scan or import pages first.\n"));
          return EXIT_INPUT;
        }
      batch = g_array_index (ids, gint64, ids->len - 1);
    }

  return run_process (pipeline, batch);
}

/* --- outbox ------------------------------------------------------------------------------ */

static const char *
outbox_state_label (PeOutboxState state)
{
  switch (state)
    {
    case PE_OUTBOX_PENDING: return _("pending");
    case PE_OUTBOX_DELIVERED: return _("delivered");
    case PE_OUTBOX_FAILED: return _("failed");
    default: return "?";
    }
}

static void
print_delivered (const char *document_id,
                 const char *target,
                 gpointer    user_data)
{
  if (!opt_json)
    g_print (_("Delivered %s to %s\n"), document_id, target);
}

static int
cmd_outbox (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = command_context (
    _("[list|deliver|retry]"),
    _("Show the outbox (list), deliver what is due (deliver) or retry failed items now (retry)."),
    NULL);
  g_auto(CliPipeline) pipeline = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  const char *action;
  PeStore *store;
  int status = EXIT_OK;

  if (!parse_command (context, &argc, &argv, &status))
    return status;
  action = argc > 1 ? argv[1] : "list";
  if (!g_str_equal (action, "list") && !g_str_equal (action, "deliver") &&
      !g_str_equal (action, "retry"))
    {
      g_printerr (_("Unknown outbox action “%s”. Use list, deliver or retry.\n"), action);
      return EXIT_USAGE;
    }

  pipeline = open_pipeline (&error);
  if (pipeline == NULL)
    return report_error (error);
  store = pe_pipeline_get_store (pipeline);

  if (g_str_equal (action, "list"))
    {
      items = pe_store_outbox_list (store, FALSE, &error);
      if (items == NULL)
        return report_error (error);
      if (opt_json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_array (b);
          for (guint i = 0; i < items->len; i++)
            {
              PeOutboxItem *it = g_ptr_array_index (items, i);

              json_builder_begin_object (b);
              add_string (b, "document", it->document_uuid);
              add_string (b, "target", it->target);
              add_string (b, "state", it->state == PE_OUTBOX_PENDING ? "pending" :
                                      it->state == PE_OUTBOX_DELIVERED ? "delivered" : "failed");
              add_int (b, "attempts", it->attempts);
              add_string (b, "last_error", it->last_error);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
          print_json (b);
        }
      else
        {
          /* Pad to the widest translated state so the columns line up in every language. */
          int width = 0;

          for (PeOutboxState st = PE_OUTBOX_PENDING; st <= PE_OUTBOX_FAILED; st++)
            width = MAX (width, (int) g_utf8_strlen (outbox_state_label (st), -1));
          for (guint i = 0; i < items->len; i++)
            {
              PeOutboxItem *it = g_ptr_array_index (items, i);
              const char *label = outbox_state_label (it->state);
              int pad = width - (int) g_utf8_strlen (label, -1);

              g_print ("%s  %s%*s  %s%s%s\n", it->document_uuid, label, pad, "", it->target,
                       it->last_error ? "  " : "", it->last_error ? it->last_error : "");
            }
        }
      return EXIT_OK;
    }

  if (g_str_equal (action, "retry"))
    {
      items = pe_store_outbox_list (store, FALSE, &error);
      if (items == NULL)
        return report_error (error);
      /* Due now, whatever the back-off said. */
      for (guint i = 0; i < items->len; i++)
        {
          PeOutboxItem *it = g_ptr_array_index (items, i);

          if (it->state != PE_OUTBOX_DELIVERED &&
              !pe_store_outbox_mark (store, it->id, PE_OUTBOX_PENDING, it->last_error, 0, &error))
            return report_error (error);
        }
    }

  {
    g_autoptr(GError) first_error = NULL;
    PeOutboxRun run = { 0 };

    if (!pe_outbox_deliver_due (store, print_delivered, NULL, &run, &first_error,
                                cli.cancellable, &error))
      return report_error (error);
    if (opt_json)
      g_print ("{\"delivered\": %u, \"failed\": %u, \"remaining\": %u}\n", run.delivered,
               run.failed, run.remaining);
    else
      g_print (_("%u delivered, %u failed, %u still pending\n"), run.delivered, run.failed,
               run.remaining);
    if (first_error != NULL)
      return report_error (first_error);
  }

  return EXIT_OK;
}

/* --- verify ------------------------------------------------------------------------------ */

static const char *
verdict_label (PeVerifyVerdict verdict)
{
  switch (verdict)
    {
    case PE_VERIFY_MATCH: return _("matches the batch store");
    case PE_VERIFY_MODIFIED: return _("MODIFIED: differs from what was recorded");
    case PE_VERIFY_UNKNOWN: return _("unknown: not in the batch store");
    default: return "?";
    }
}

static void
add_verify_json (JsonBuilder          *b,
                 const PeVerifyReport *r,
                 const char           *level)
{
  json_builder_begin_object (b);
  add_string (b, "file", r->path);
  add_string (b, "sha256", r->sha256);
  add_int (b, "pages", r->n_pages);
  add_string (b, "pdfa", level);
  add_string (b, "title", r->title);
  add_string (b, "author", r->author);
  add_string (b, "producer", r->producer);
  add_string (b, "document", r->document_id);
  add_string (b, "verdict", r->verdict == PE_VERIFY_MATCH ? "match" :
                            r->verdict == PE_VERIFY_MODIFIED ? "modified" : "unknown");
  json_builder_end_object (b);
}

static void
print_verify (const PeVerifyReport *r,
              const char           *level)
{
  g_print ("%s\n", r->path);
  g_print (_("  PDF/A:     %s\n"), level ? level : _("none declared"));
  g_print (_("  Pages:     %u\n"), r->n_pages);
  g_print (_("  Title:     %s\n"), r->title ? r->title : "");
  g_print (_("  Author:    %s\n"), r->author ? r->author : "");
  g_print (_("  Producer:  %s\n"), r->producer ? r->producer : "");
  g_print (_("  Document:  %s\n"), r->document_id ? r->document_id : "");
  g_print (_("  SHA-256:   %s\n"), r->sha256);
  g_print (_("  Record:    %s\n"), verdict_label (r->verdict));
  if (r->recorded_sha256 != NULL)
    g_print (_("  Recorded:  %s\n"), r->recorded_sha256);
}

static int
cmd_verify (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = command_context (
    _("FILE.pdf…"),
    _("Show a PDF’s PDF/A level, metadata and page count, and whether it is the file that was "
      "recorded."), NULL);
  g_auto(CliPipeline) pipeline = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;

  if (!parse_command (context, &argc, &argv, &status))
    return status;
  if (argc < 2)
    {
      g_printerr (_("Name at least one PDF file to verify.\n"));
      return EXIT_USAGE;
    }
  pipeline = open_pipeline (&error);
  if (pipeline == NULL)
    return report_error (error);

  json_builder_begin_array (b);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(PeVerifyReport) r = pe_verify_pdf (pe_pipeline_get_store (pipeline), argv[i],
                                                   &error);
      g_autofree char *level = NULL;

      if (r == NULL)
        {
          status = report_error (error);
          g_clear_error (&error);
          continue;
        }
      level = pe_verify_report_dup_level (r);
      if ((r->verdict != PE_VERIFY_MATCH || level == NULL) && status == EXIT_OK)
        status = EXIT_MISMATCH;

      if (opt_json)
        add_verify_json (b, r, level);
      else
        print_verify (r, level);
    }
  json_builder_end_array (b);
  if (opt_json)
    print_json (b);

  return status;
}

/* --- main -------------------------------------------------------------------------------- */

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "devices", cmd_devices, N_("List scanners") },
  { "scan", cmd_scan, N_("Scan pages into a batch") },
  { "import", cmd_import, N_("Import image or PDF files into a batch") },
  { "process", cmd_process, N_("Recognise text, build PDF/A and deliver a batch") },
  { "outbox", cmd_outbox, N_("Show or deliver the outbox") },
  { "verify", cmd_verify, N_("Check a delivered PDF against the batch store") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, _("Usage: %s COMMAND [OPTION…]\n\n"), "posteingang-cli");
  fprintf (out, _("Scan, read and deliver incoming mail as PDF/A.\n\nCommands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, _("\nRun “%s COMMAND --help” for the options of a command.\n\n%s\n"),
           "posteingang-cli", _(EXIT_CODES_HELP));
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("PE_LOCALEDIR");
  int status = EXIT_USAGE;

  /* Before any thread: Leptonica's messages to the debug log, page buffers reused. */
  pe_clean_setup_process ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("posteingang-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  cli.loop = g_main_loop_new (NULL, FALSE);
  cli.cancellable = g_cancellable_new ();
  g_unix_signal_add (SIGINT, on_sigint, NULL);
  g_unix_signal_add (SIGTERM, on_sigint, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *prgname = g_strdup_printf ("posteingang-cli %s", commands[i].name);

        g_set_prgname (prgname);
        status = commands[i].run (argc - 1, argv + 1);
        goto out;
      }

  g_printerr (_("Unknown command “%s”.\n\n"), argv[1]);
  print_usage (stderr);

out:
  g_clear_object (&cli.cancellable);
  g_clear_pointer (&cli.loop, g_main_loop_unref);
  return status;
}
