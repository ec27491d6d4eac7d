/* test-cli.c: posteingang-cli end to end, as a script in a scan centre would run it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "pe-test-common.h"

typedef struct
{
  char *dir;
  char *store;
  char *outbox;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = pe_test_mkdtemp ();
  f->store = g_build_filename (f->dir, "store", NULL);
  f->outbox = g_build_filename (f->dir, "outbox", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  pe_test_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->store);
  g_free (f->outbox);
}

static const char *
cli_path (void)
{
  const char *cli = g_getenv ("PE_CLI");

  g_assert_nonnull (cli);
  return cli;
}

static GPtrArray *
cli_argv (Fixture    *f,
          const char *command,
          va_list     ap)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *arg;

  g_ptr_array_add (argv, g_strdup (cli_path ()));
  g_ptr_array_add (argv, g_strdup (command));
  g_ptr_array_add (argv, g_strdup_printf ("--store=%s", f->store));
  g_ptr_array_add (argv, g_strdup_printf ("--outbox=%s", f->outbox));
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* Runs the CLI with the fixture's store and outbox; NULL-terminated arguments after the
 * command. */
static int
run_cli (Fixture    *f,
         char      **out,
         char      **err,
         const char *command,
         ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  va_list ap;

  va_start (ap, command);
  argv = cli_argv (f, command, ap);
  va_end (ap);
  return pe_test_run ((const char * const *) argv->pdata, out, err);
}

/* The same, with @input on standard input (the clerk's answers). */
static int
run_cli_input (Fixture    *f,
               const char *input,
               char      **out,
               char      **err,
               const char *command,
               ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  va_list ap;

  va_start (ap, command);
  argv = cli_argv (f, command, ap);
  va_end (ap);
  return pe_test_run_with_input ((const char * const *) argv->pdata, input, out, err);
}

static guint
count_files (const char *dir,
             const char *suffix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    if (suffix == NULL || g_str_has_suffix (name, suffix))
      n++;
  return n;
}

static void
test_help (void)
{
  const char *commands[] = { "devices", "scan", "import", "process", "outbox" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *out = NULL;
      const char *argv[] = { cli_path (), commands[i], "--help", NULL };

      g_assert_cmpint (pe_test_run (argv, &out, NULL), ==, 0);
      g_assert_true (strstr (out, commands[i]) != NULL);
      g_assert_true (strstr (out, "--store") != NULL || strstr (out, "--help-all") != NULL);
      g_assert_true (strstr (out, "130") != NULL);   /* the exit codes are documented */
    }

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *argv[] = { cli_path (), "frobnicate", NULL };

    g_assert_cmpint (pe_test_run (argv, &out, &err), ==, 2);
    g_assert_true (strstr (err, "frobnicate") != NULL);
  }
}

static void
test_missing_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "nicht-da.pdf", NULL);

  g_assert_cmpint (run_cli (f, NULL, &err, "import", missing, "--process", NULL), ==, 3);
  g_assert_true (strstr (err, "nicht-da.pdf") != NULL);
  g_assert_cmpuint (count_files (f->outbox, NULL), ==, 0);
}

static void
test_corrupt_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "kaputt.png", NULL);
  g_autofree char *page = pe_test_sample_page ("p0001.png");
  g_autofree char *content = NULL;
  gsize len;

  /* A PNG cut off in the middle, as a broken transfer leaves it. */
  g_assert_true (g_file_get_contents (page, &content, &len, NULL));
  g_assert_true (g_file_set_contents (bad, content, len / 3, NULL));

  g_assert_cmpint (run_cli (f, NULL, &err, "import", bad, "--process", NULL), ==, 3);
  g_assert_true (strstr (err, "kaputt.png") != NULL);
  g_assert_cmpuint (count_files (f->outbox, NULL), ==, 0);
}

static void
test_unknown_device (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (run_cli (f, NULL, &err, "scan", "--device", "gibtsnicht:0", "--process",
                            NULL), ==, 4);
  g_assert_true (strstr (err, "gibtsnicht:0") != NULL);
  g_assert_cmpuint (count_files (f->outbox, NULL), ==, 0);
}

static void
test_devices_json (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gboolean have_test = FALSE, have_pnm = FALSE;
  JsonArray *devices;

  g_assert_cmpint (run_cli (f, &out, NULL, "devices", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  devices = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      const char *name = json_object_get_string_member (
        json_array_get_object_element (devices, i), "name");

      have_test |= g_str_equal (name, "test:0");
      have_pnm |= g_str_equal (name, "pnm:0");
    }
  g_assert_true (have_test);
  g_assert_true (have_pnm);
}

/* The first slice end to end: two sample pages "scanned" through pnm:0, OCR, PDF/A, outbox. */
static void
test_scan_process_deliver (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *p1 = pe_test_sample_page ("p0001.png");
  g_autofree char *p3 = pe_test_sample_page ("p0003.png");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *check = NULL;
  g_autofree char *pdfa_check = pe_test_tool_path ("pdfa-check");
  JsonObject *summary, *sidecar;
  JsonArray *pages;
  const char *name;
  int status;

  status = run_cli (f, &out, &err, "scan", "--feed", p1, "--feed", p3, "--process", "--json",
                    NULL);
  if (status != 0)
    g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 0);

  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  summary = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (summary, "documents"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "pages"), ==, 2);
  g_assert_true (json_object_get_null_member (summary, "error"));

  g_assert_cmpuint (count_files (f->outbox, ".pdf"), ==, 1);
  g_assert_cmpuint (count_files (f->outbox, ".json"), ==, 1);
  g_assert_cmpuint (count_files (f->outbox, NULL), ==, 2);

  d = g_dir_open (f->outbox, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      json = g_build_filename (f->outbox, name, NULL);
    else
      pdf = g_build_filename (f->outbox, name, NULL);

  /* The sidecar describes the PDF that is actually there. */
  g_clear_object (&parser);
  parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (parser, json, &error));
  g_assert_no_error (error);
  sidecar = json_node_get_object (json_parser_get_root (parser));
  {
    g_autofree char *content = NULL;
    g_autofree char *sha = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (pdf, &content, &len, NULL));
    sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) content, len);
    g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (sidecar, "pdf"), "sha256"), ==, sha);
    g_assert_cmpint (json_object_get_int_member (
                       json_object_get_object_member (sidecar, "pdf"), "bytes"), ==, len);
  }
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (sidecar, "pdf"), "pdfa"), ==, "2b");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (sidecar, "ocr"), "languages"), ==, "deu");
  pages = json_object_get_array_member (sidecar, "pages");
  g_assert_cmpuint (json_array_get_length (pages), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (pages, 0), "dpi"),
                   ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (pages, 0),
                                               "width"), ==, 1654);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (pages, 0),
                                                  "source"), ==, "pnm:0");

  /* Searchable: the text layer holds what the letter says. */
  {
    const char *argv[] = { "pdftotext", pdf, "-", NULL };

    g_assert_cmpint (pe_test_run (argv, &text, NULL), ==, 0);
    g_assert_true (strstr (text, "Liegenschaften") != NULL);
    g_assert_true (strstr (text, "Stellung") != NULL);
  }

  /* Archival: PDF/A-2b as judged by PDFBox Preflight (under the stricter 1b rules). */
  {
    const char *argv[] = { pdfa_check, pdf, NULL };

    status = pe_test_run (argv, &check, NULL);
    g_test_message ("%s", check);
    g_assert_cmpint (status, ==, 0);
    g_assert_true (g_str_has_prefix (check, "PASS-2B-UNDER-1B-RULES"));
  }

  /* verify: the delivered file is the recorded one, PDF/A-2b, two pages… */
  {
    g_autofree char *vout = NULL;
    g_autoptr(JsonParser) vp = json_parser_new ();
    JsonObject *v;

    g_assert_cmpint (run_cli (f, &vout, NULL, "verify", "--json", pdf, NULL), ==, 0);
    g_assert_true (json_parser_load_from_data (vp, vout, -1, &error));
    v = json_array_get_object_element (json_node_get_array (json_parser_get_root (vp)), 0);
    g_assert_cmpstr (json_object_get_string_member (v, "verdict"), ==, "match");
    g_assert_cmpstr (json_object_get_string_member (v, "pdfa"), ==, "2b");
    g_assert_cmpint (json_object_get_int_member (v, "pages"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (v, "document"), ==,
                     json_object_get_string_member (sidecar, "id"));
  }
  /* …and a copy with one byte more is caught as modified (exit 7). */
  {
    g_autofree char *copy = g_build_filename (f->dir, "changed.pdf", NULL);
    g_autofree char *content = NULL;
    g_autofree char *vout = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (pdf, &content, &len, NULL));
    content = g_realloc (content, len + 1);
    content[len] = '\n';
    g_assert_true (g_file_set_contents (copy, content, len + 1, NULL));
    g_assert_cmpint (run_cli (f, &vout, NULL, "verify", copy, NULL), ==, 7);
    g_assert_true (strstr (vout, "MODIFIED") != NULL);
  }

  /* Processing again delivers nothing twice. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "process", "--json", NULL), ==, 0);
  g_clear_object (&parser);
  parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (
                     json_parser_get_root (parser)), "documents"), ==, 0);
  g_assert_cmpuint (count_files (f->outbox, NULL), ==, 2);
}

static int
pages_read (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->store, "store.sqlite", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n = -1;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM pages WHERE state >= 2", -1, &stmt,
                          NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* kill -9 in the middle of processing: the next run reads only the rest and delivers once. */
static void
test_kill_and_resume (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *p1 = pe_test_sample_page ("p0001.png");
  g_autofree char *p3 = pe_test_sample_page ("p0003.png");
  g_autofree char *p5 = pe_test_sample_page ("p0005.png");
  g_autofree char *p7 = pe_test_sample_page ("p0007.png");
  g_autofree char *store = g_strdup_printf ("--store=%s", f->store);
  g_autofree char *outbox = g_strdup_printf ("--outbox=%s", f->outbox);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *summary;
  GPid pid;
  int status, read_before;

  g_assert_cmpint (run_cli (f, NULL, NULL, "import", p1, p3, p5, p7, NULL), ==, 0);

  {
    const char *argv[] = { cli_path (), "process", store, outbox, "--quiet", NULL };
    gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                                  G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                  NULL, NULL, &pid, &error));
    g_assert_no_error (error);
    /* Kill as soon as the first page's text is committed: the others are still being read. */
    while (pages_read (f) < 1 && g_get_monotonic_time () < deadline)
      g_usleep (20000);
    kill (pid, SIGKILL);
    waitpid (pid, &status, 0);
    g_spawn_close_pid (pid);
    g_assert_true (WIFSIGNALED (status));
  }
  read_before = pages_read (f);
  g_test_message ("pages read before the kill: %d of 4", read_before);
  g_assert_cmpint (read_before, >=, 1);
  g_assert_cmpint (read_before, <, 4);
  g_assert_cmpuint (count_files (f->outbox, ".pdf"), ==, 0);

  g_assert_cmpint (run_cli (f, &out, NULL, "process", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  summary = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (summary, "documents"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "pages"), ==, 4);
  g_assert_cmpint (pages_read (f), ==, 4);
  g_assert_cmpuint (count_files (f->outbox, ".pdf"), ==, 1);
  g_assert_cmpuint (count_files (f->outbox, ".json"), ==, 1);
  g_assert_cmpuint (count_files (f->outbox, NULL), ==, 2);
}

static JsonObject *
load_sidecar (Fixture    *f,
              JsonParser *parser)
{
  g_autoptr(GDir) d = g_dir_open (f->outbox, 0, NULL);
  g_autoptr(GError) error = NULL;
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      {
        g_autofree char *path = g_build_filename (f->outbox, name, NULL);

        g_assert_true (json_parser_load_from_file (parser, path, &error));
        g_assert_no_error (error);
        return json_node_get_object (json_parser_get_root (parser));
      }
  g_assert_not_reached ();
}

/* The sample stack: four letters with a QR separator sheet between each; --split none keeps
 * them together (the sheets still left out), a bad mode is a usage error. */
static void
test_split (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *summary;

  for (guint i = 1; i <= 7; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%04u.png", i);

      g_ptr_array_add (args, pe_test_sample_page (name));
    }
  g_assert_cmpint (run_cli (f, &out, NULL, "import", "--process", "--json",
                            args->pdata[0], args->pdata[1], args->pdata[2], args->pdata[3],
                            args->pdata[4], args->pdata[5], args->pdata[6], NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  summary = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (summary, "documents"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (summary, "pages"), ==, 4);
  g_assert_cmpuint (count_files (f->outbox, ".pdf"), ==, 4);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "import", "--process", "--json", "--split", "none",
                            args->pdata[0], args->pdata[1], args->pdata[2], NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  summary = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (summary, "documents"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "pages"), ==, 2);

  g_assert_cmpint (run_cli (f, NULL, &err, "import", "--process", "--split", "chapters",
                            args->pdata[0], NULL), ==, 2);
  g_assert_nonnull (strstr (err, "chapters"));
}

/* A profile's cleanup keys reach the cleanup: a user profile that keeps pages grey. */
static void
test_profile_cleanup (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *p1 = pe_test_sample_page ("p0001.png");
  g_autofree char *config = g_build_filename (f->dir, "config", "posteingang", NULL);
  g_autofree char *ini = g_build_filename (config, "profiles.ini", NULL);
  g_autofree char *xdg = g_build_filename (f->dir, "config", NULL);
  g_autofree char *old = g_strdup (g_getenv ("XDG_CONFIG_HOME"));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *err = NULL;
  JsonObject *cleanup;
  int status;

  g_assert_cmpint (g_mkdir_with_parents (config, 0700), ==, 0);
  g_assert_true (g_file_set_contents (ini, "[grey-test]\nName=Grey\nColorPolicy=grey\n"
                                      "SplitMode=none\n", -1, NULL));
  g_setenv ("XDG_CONFIG_HOME", xdg, TRUE);
  status = run_cli (f, NULL, &err, "scan", "--profile", "grey-test", "--feed", p1, "--process",
                    "--quiet", NULL);
  if (old != NULL)
    g_setenv ("XDG_CONFIG_HOME", old, TRUE);
  else
    g_unsetenv ("XDG_CONFIG_HOME");
  if (status != 0)
    g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 0);

  cleanup = json_array_get_object_element (
    json_object_get_array_member (load_sidecar (f, parser), "pages"), 0);
  cleanup = json_object_get_object_member (cleanup, "cleanup");
  g_assert_cmpstr (json_object_get_string_member (cleanup, "color"), ==, "grey");
}

/* A manual duplex run: fronts, the clerk turns the stack and presses Enter, backs last sheet
 * first; the document reads front 1, back 1, front 2, back 2. */
static void
test_manual_duplex (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *f1 = pe_test_sample_page ("p0001.png");
  g_autofree char *f2 = pe_test_sample_page ("p0003.png");
  g_autofree char *b1 = pe_test_sample_page ("p0005.png");
  g_autofree char *b2 = pe_test_sample_page ("p0007.png");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonArray *pages;
  const gint64 reading_order[] = { 1, 4, 2, 3 };
  int status;

  status = run_cli_input (f, "\n", &out, &err, "scan", "--profile", "post-manual-duplex",
                          "--feed", f1, "--feed", f2, "--feed-backs", b2, "--feed-backs", b1,
                          "--process", "--json", NULL);
  if (status != 0)
    g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "Turn the stack over"));

  pages = json_object_get_array_member (load_sidecar (f, parser), "pages");
  g_assert_cmpuint (json_array_get_length (pages), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (pages, i),
                                                 "batch_seq"), ==, reading_order[i]);
}

/* One back fewer than fronts: the clear mismatch message, and every page kept in the batch. */
static void
test_manual_duplex_mismatch (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *f1 = pe_test_sample_page ("p0001.png");
  g_autofree char *f2 = pe_test_sample_page ("p0003.png");
  g_autofree char *b2 = pe_test_sample_page ("p0007.png");
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int status;

  status = run_cli_input (f, "\n", NULL, &err, "scan", "--profile", "post-manual-duplex",
                          "--feed", f1, "--feed", f2, "--feed-backs", b2, NULL);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "3 pages were recorded"));
  g_assert_cmpint (run_cli (f, &out, NULL, "process", "--list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "3"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/help", test_help);
  g_test_add ("/cli/errors/missing-file", Fixture, NULL, fixture_setup, test_missing_file,
              fixture_teardown);
  g_test_add ("/cli/errors/corrupt-file", Fixture, NULL, fixture_setup, test_corrupt_file,
              fixture_teardown);
  g_test_add ("/cli/errors/unknown-device", Fixture, NULL, fixture_setup, test_unknown_device,
              fixture_teardown);
  g_test_add ("/cli/devices", Fixture, NULL, fixture_setup, test_devices_json, fixture_teardown);
  g_test_add ("/cli/scan-process-deliver", Fixture, NULL, fixture_setup,
              test_scan_process_deliver, fixture_teardown);
  g_test_add ("/cli/split", Fixture, NULL, fixture_setup, test_split, fixture_teardown);
  g_test_add ("/cli/scan/profile-cleanup", Fixture, NULL, fixture_setup, test_profile_cleanup,
              fixture_teardown);
  g_test_add ("/cli/scan/manual-duplex", Fixture, NULL, fixture_setup, test_manual_duplex,
              fixture_teardown);
  g_test_add ("/cli/scan/manual-duplex-mismatch", Fixture, NULL, fixture_setup,
              test_manual_duplex_mismatch, fixture_teardown);
  g_test_add ("/cli/kill-and-resume", Fixture, NULL, fixture_setup, test_kill_and_resume,
              fixture_teardown);

  return g_test_run ();
}
