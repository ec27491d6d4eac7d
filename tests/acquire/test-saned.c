/* test-saned.c: network scanning through a real saned on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test starts `saned -l -e -b 127.0.0.1` with a SANE_CONFIG_DIR of its own (saned.conf
 * allowing 127.0.0.1, dll.conf with the test backend). SANE reads its configuration once per
 * process and this process already uses data/sane, so the client side runs in child
 * processes with a client config (dll.conf "net", net.conf "127.0.0.1"): posteingang-cli for
 * devices and scans, sane-list-helper for refreshing the device list within one process.
 * saned listens on the fixed port 6566 (the net backend cannot be told another), hence
 * is_parallel: false. saned is stopped by its pid in the fixture's teardown, and is started
 * with PR_SET_PDEATHSIG so that it dies with this process even when an assertion aborts it.
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pe-sqlite-store.h"
#include "pe-test-common.h"

#define SANE_PORT 6566
#define NET_DEVICE "net:127.0.0.1:test:0"

static char *saned_path;

typedef struct
{
  char  *dir;
  char  *server_dir;
  char  *client_dir;
  char  *store;
  char  *config_home;
  char  *saned_log;
  GPid   saned;
} Fixture;

static char *
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static gboolean
port_accepts (void)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;

  g_socket_client_set_timeout (client, 1);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", SANE_PORT, NULL, NULL);
  return conn != NULL;
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
saned_start (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "SANE_CONFIG_DIR", f->server_dir,
                                        TRUE);
  g_autofree char *cmd = NULL;
  const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
  gint64 deadline;

  g_assert_cmpint (f->saned, ==, 0);
  if (port_accepts ())
    g_error ("Port %d on 127.0.0.1 is already in use (another saned?): stop it, then run "
             "this test again.", SANE_PORT);

  /* exec keeps the pid: the shell only redirects saned's stderr into the log. */
  cmd = g_strdup_printf ("exec '%s' -l -e -b 127.0.0.1 2>>'%s'", saned_path, f->saned_log);
  argv[2] = cmd;
  g_spawn_async (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL,
                 &f->saned, &error);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!port_accepts ())
    {
      int status;

      if (waitpid (f->saned, &status, WNOHANG) == f->saned)
        {
          g_autofree char *log = NULL;

          f->saned = 0;
          g_file_get_contents (f->saned_log, &log, NULL, NULL);
          g_error ("saned exited at start (status %d): %s", status, log);
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("saned does not listen on 127.0.0.1:%d after 10 s", SANE_PORT);
      g_usleep (20 * 1000);
    }
}

/* Pids of the processes whose parent is @parent and, if @comm is given, whose name it is. */
static GArray *
children_of (GPid        parent,
             const char *comm)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = NULL;
      g_autofree char *stat = NULL;
      const char *open_paren;
      const char *close_paren;
      int ppid = 0;
      char state;

      if (!g_ascii_isdigit (name[0]))
        continue;
      stat_path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
        continue;
      open_paren = strchr (stat, '(');
      close_paren = strrchr (stat, ')');
      if (open_paren == NULL || close_paren == NULL
          || sscanf (close_paren + 1, " %c %d", &state, &ppid) != 2 || ppid != parent)
        continue;
      if (comm != NULL && (strncmp (open_paren + 1, comm, close_paren - open_paren - 1) != 0
                           || strlen (comm) != (gsize) (close_paren - open_paren - 1)))
        continue;
      {
        GPid pid = atoi (name);

        g_array_append_val (pids, pid);
      }
    }

  return pids;
}

static void
saned_stop (Fixture *f)
{
  gint64 deadline;
  int status;

  if (f->saned == 0)
    return;

  /* saned forks one process per connection, and the test backend one more to feed its pipe
   * (holding the data socket): all of them are ours, the whole tree goes, like a server
   * switched off. */
  {
    g_autoptr(GArray) tree = g_array_new (FALSE, FALSE, sizeof (GPid));

    g_array_append_val (tree, f->saned);
    for (guint i = 0; i < tree->len; i++)
      {
        g_autoptr(GArray) children = children_of (g_array_index (tree, GPid, i), NULL);

        g_array_append_vals (tree, children->data, children->len);
      }
    for (guint i = 1; i < tree->len; i++)
      kill (g_array_index (tree, GPid, i), SIGKILL);
  }
  kill (f->saned, SIGTERM);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (waitpid (f->saned, &status, WNOHANG) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill (f->saned, SIGKILL);
          waitpid (f->saned, &status, 0);
          break;
        }
      g_usleep (10 * 1000);
    }
  f->saned = 0;

  /* This process is the subreaper (see main): reap saned's orphaned connection processes
   * too, instead of leaving zombies behind. */
  {
    g_autoptr(GArray) orphans = children_of (getpid (), "saned");

    for (guint i = 0; i < orphans->len; i++)
      waitpid (g_array_index (orphans, GPid, i), &status, 0);
  }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *test_conf = g_build_filename (g_getenv ("PE_SOURCE_ROOT"), "data", "sane",
                                                 "test.conf", NULL);
  g_autofree char *conf = NULL;
  g_autoptr(GError) error = NULL;
  gboolean start = GPOINTER_TO_INT (data);

  f->dir = pe_test_mkdtemp ();
  f->server_dir = g_build_filename (f->dir, "server", NULL);
  f->client_dir = g_build_filename (f->dir, "client", NULL);
  f->store = g_build_filename (f->dir, "store", NULL);
  f->config_home = g_build_filename (f->dir, "config", NULL);
  f->saned_log = g_build_filename (f->dir, "saned.log", NULL);
  g_assert_cmpint (g_mkdir (f->server_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (f->client_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->config_home, 0700), ==, 0);

  /* The server scans with the same test.conf as the local reference scans below. */
  g_free (write_file (f->server_dir, "saned.conf", "127.0.0.1\n"));
  g_free (write_file (f->server_dir, "dll.conf", "test\n"));
  g_file_get_contents (test_conf, &conf, NULL, &error);
  g_assert_no_error (error);
  g_free (write_file (f->server_dir, "test.conf", conf));

  g_free (write_file (f->client_dir, "dll.conf", "net\n"));
  g_free (write_file (f->client_dir, "net.conf", "127.0.0.1\nconnect_timeout = 5\n"));

  if (start)
    saned_start (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  saned_stop (f);
  pe_test_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->server_dir);
  g_free (f->client_dir);
  g_free (f->store);
  g_free (f->config_home);
  g_free (f->saned_log);
}

static char **
client_env (Fixture *f)
{
  g_autofree char *profiles = g_build_filename (g_getenv ("PE_SOURCE_ROOT"), "data",
                                                "profiles", NULL);
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "SANE_CONFIG_DIR", f->client_dir, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", f->config_home, TRUE);
  env = g_environ_setenv (env, "PE_PKGDATADIR", profiles, TRUE);
  env = g_environ_setenv (env, "PE_SYSCONFDIR", f->dir, TRUE);
  return env;
}

/* Runs posteingang-cli with the client's SANE config; returns its exit status. */
static int
run_cli (Fixture  *f,
         char    **out,
         char    **err,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = client_env (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;
  const char *arg;
  int status = 0;
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("PE_CLI"));
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, die_with_parent, NULL, &o,
                &e, &status, &error);
  g_assert_no_error (error);
  g_test_message ("cli stderr: %s", e);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);

  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static GPtrArray *
stored_pages (Fixture *f,
              gint64   batch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (f->store, &error);
  GPtrArray *pages;

  g_assert_no_error (error);
  pages = pe_store_list_pages (PE_STORE (store), batch, &error);
  g_assert_no_error (error);
  return pages;
}

static void
test_devices (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *devices;
  gboolean found = FALSE;

  g_assert_cmpint (run_cli (f, &out, NULL, "devices", "--json", NULL), ==, 0);
  root = parse_json (out);
  devices = json_node_get_array (root);

  /* Only the network: the client config has no local backend. */
  g_assert_cmpuint (json_array_get_length (devices), ==, 2);
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *d = json_array_get_object_element (devices, i);
      const char *name = json_object_get_string_member (d, "name");

      g_assert_true (g_str_has_prefix (name, "net:127.0.0.1:test:"));
      if (g_str_equal (name, NET_DEVICE))
        {
          found = TRUE;
          g_assert_cmpstr (json_object_get_string_member (d, "model"), ==, "frontend-tester");
          g_assert_cmpstr (json_object_get_string_member (d, "type"), ==, "virtual device");
        }
    }
  g_assert_true (found);
}

static PIX *
local_reference (const char *const *args)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *out = g_build_filename (dir, "ref.pnm", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  PIX *pix;

  g_ptr_array_add (argv, (char *) "scanimage");
  g_ptr_array_add (argv, (char *) "-d");
  g_ptr_array_add (argv, (char *) "test:0");
  g_ptr_array_add (argv, (char *) "--format=pnm");
  g_ptr_array_add (argv, (char *) "-o");
  g_ptr_array_add (argv, out);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  if (pe_test_run ((const char *const *) argv->pdata, NULL, &err) != 0)
    g_error ("scanimage failed: %s", err);
  pix = pixRead (out);
  g_assert_nonnull (pix);
  pe_test_rmdir (dir);
  return pix;
}

static void
test_scan_adf (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  JsonObject *o;
  gint64 batch;

  g_assert_cmpint (run_cli (f, &out, NULL, "scan", "--store", f->store, "--device", NET_DEVICE,
                            "--source", "adf", "--resolution", "50", "--mode", "gray",
                            "--option", "test-picture=Grid", "--json", NULL), ==, 0);
  root = parse_json (out);
  o = json_node_get_object (root);
  batch = json_object_get_int_member (o, "batch");
  /* The remote test backend's feeder holds 10 sheets. */
  g_assert_cmpint (json_object_get_int_member (o, "pages"), ==, 10);

  pages = stored_pages (f, batch);
  g_assert_cmpuint (pages->len, ==, 10);
  for (guint i = 0; i < pages->len; i++)
    {
      PePageRecord *p = g_ptr_array_index (pages, i);

      g_assert_cmpuint (p->seq, ==, i + 1);
      g_assert_cmpstr (p->source, ==, NET_DEVICE);
      g_assert_cmpuint (p->dpi, ==, 50);
      g_assert_cmpuint (p->depth, ==, 8);
    }

  /* Over the network, the pixels are those of the same scan made locally. */
  if (!pe_test_skip_unless_program ("scanimage"))
    {
      const char *const args[] = { "--source", "Automatic Document Feeder", "--mode", "Gray",
                                   "--resolution", "50", "--test-picture", "Grid", NULL };
      g_autoptr(PIX) ref = local_reference (args);
      g_autoptr(PIX) first = pixRead (((PePageRecord *) g_ptr_array_index (pages, 0))->image_path);
      l_int32 same = 0;

      pixEqual (first, ref, &same);
      g_assert_true (same);
    }
}

static void
test_scan_profile (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *profiles_dir = g_build_filename (f->config_home, "posteingang", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  gint64 batch;

  g_assert_cmpint (g_mkdir_with_parents (profiles_dir, 0700), ==, 0);
  g_free (write_file (profiles_dir, "profiles.ini",
                      "[net-grey]\n"
                      "Name=Network grey\n"
                      "Source=adf\n"
                      "Resolution=60\n"
                      "Mode=gray\n"
                      "MaxPages=3\n"
                      "Brightness=10\n"
                      "Options=test-picture=Grid\n"));

  g_assert_cmpint (run_cli (f, &out, NULL, "scan", "--store", f->store, "--device", NET_DEVICE,
                            "--profile", "net-grey", "--json", NULL), ==, 0);
  root = parse_json (out);
  batch = json_object_get_int_member (json_node_get_object (root), "batch");
  pages = stored_pages (f, batch);
  g_assert_cmpuint (pages->len, ==, 3);
  g_assert_cmpuint (((PePageRecord *) g_ptr_array_index (pages, 0))->dpi, ==, 60);
  g_clear_pointer (&pages, g_ptr_array_unref);
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);

  /* Explicit options win over the profile's; the same batch is continued. */
  {
    g_autofree char *batch_arg = g_strdup_printf ("%" G_GINT64_FORMAT, batch);

    g_assert_cmpint (run_cli (f, &out, NULL, "scan", "--store", f->store, "--device",
                              NET_DEVICE, "--profile", "net-grey", "--resolution", "75",
                              "--max-pages", "2", "--mode", "color", "--batch", batch_arg,
                              "--json", NULL), ==, 0);
  }
  pages = stored_pages (f, batch);
  g_assert_cmpuint (pages->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      PePageRecord *p = g_ptr_array_index (pages, i);

      g_assert_cmpuint (p->seq, ==, i + 1);
      g_assert_cmpuint (p->dpi, ==, i < 3 ? 60 : 75);
      g_assert_cmpuint (p->depth, ==, i < 3 ? 8 : 32);
    }

  /* An unknown profile lists the known ones and is a usage error. */
  g_assert_cmpint (run_cli (f, NULL, &err, "scan", "--store", f->store, "--device", NET_DEVICE,
                            "--profile", "gibtsnicht", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "There is no scan profile “gibtsnicht”. Choose one of: "
                                 "post-duplex-grey, color, archive-400, post-manual-duplex, "
                                 "net-grey."));
}

static void
test_fault_over_network (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *err = NULL;

  /* The remote sane_read status crosses the network as itself. */
  g_assert_cmpint (run_cli (f, NULL, &err, "scan", "--store", f->store, "--device", NET_DEVICE,
                            "--source", "adf", "--resolution", "50", "--option",
                            "read-return-value=SANE_STATUS_JAMMED", NULL), ==, 4);
  g_assert_nonnull (strstr (err, "Paper jam: remove the jammed sheet, then continue the "
                                 "batch."));
}

/* The server goes away in the middle of a batch, while a page is being read: the CLI reports a
 * device error, names the batch to continue, and the pages already read stay in it.
 * (Between two pages, sane-backends 1.2.1's net backend crashes in the next sane_start() on
 * the dead connection, inside SANE; reads are slowed here so that the cut lands mid-page.) */
static void
test_server_gone (Fixture       *f,
                  gconstpointer  data)
{
  const char *argv[] = { g_getenv ("PE_CLI"), "scan", "--store", f->store, "--device",
                         NET_DEVICE, "--source", "adf", "--resolution", "300", "--option",
                         "read-delay=yes", "--option", "read-delay-duration=50000", "--json",
                         NULL };
  g_auto(GStrv) env = client_env (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *pages_dir = g_build_filename (f->store, "pages", "1", NULL);
  GPid pid;
  int out_fd, err_fd;
  int status;
  gint64 deadline;
  JsonObject *o;
  const char *name;

  g_spawn_async_with_pipes (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD,
                            die_with_parent, NULL, &pid, NULL, &out_fd, &err_fd, &error);
  g_assert_no_error (error);

  /* Wait for the second page on disk, then pull the plug while the third is read (a page
   * takes about a second at this read delay). */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GDir) dir = g_dir_open (pages_dir, 0, NULL);
      guint n = 0;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (name[0] == 'p' && g_str_has_suffix (name, ".pnm"))
          n++;
      if (n >= 2)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
  g_usleep (300 * 1000);
  saned_stop (f);

  {
    g_autoptr(GInputStream) so = g_unix_input_stream_new (out_fd, TRUE);
    g_autoptr(GInputStream) se = g_unix_input_stream_new (err_fd, TRUE);
    g_autoptr(GOutputStream) mo = g_memory_output_stream_new_resizable ();
    g_autoptr(GOutputStream) me = g_memory_output_stream_new_resizable ();

    g_output_stream_splice (mo, so, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
    g_assert_no_error (error);
    g_output_stream_splice (me, se, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
    g_assert_no_error (error);
    g_output_stream_write (mo, "", 1, NULL, NULL);
    g_output_stream_write (me, "", 1, NULL, NULL);
    out = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (mo));
    err = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (me));
  }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_test_message ("cli stderr: %s", err);
  if (!WIFEXITED (status))
    g_error ("posteingang-cli was killed by signal %d", WTERMSIG (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 4);
  g_assert_nonnull (strstr (err, "Communication with scanner “" NET_DEVICE "” failed"));
  g_assert_nonnull (strstr (err, "continue with --batch 1"));

  root = parse_json (out);
  o = json_node_get_object (root);
  pages = stored_pages (f, 1);
  g_assert_cmpint (json_object_get_int_member (o, "pages"), ==, pages->len);
  g_assert_cmpuint (pages->len, >=, 2);
  g_assert_cmpuint (pages->len, <, 10);
}

static char *
helper_ask (GDataInputStream *from,
            GOutputStream    *to,
            const char       *request)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strconcat (request, "\n", NULL);
  char *line;

  g_output_stream_write_all (to, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
  line = g_data_input_stream_read_line (from, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_test_message ("%s: “%s”", request, line);
  g_assert_false (g_str_has_prefix (line, "error:"));
  return line;
}

static char *
helper_list (GDataInputStream *from,
             GOutputStream    *to)
{
  return helper_ask (from, to, "list");
}

/* Refreshing in one process (pe_sane_list_devices_async() again) sees saned come, go and come
 * back, and scanning works again after saned restarted. */
static void
test_refresh (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *helper = g_test_build_filename (G_TEST_BUILT, "acquire",
                                                   "sane-list-helper", NULL);
  const char *argv[] = { helper, NULL };
  g_auto(GStrv) env = client_env (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) to = NULL;
  g_autoptr(GDataInputStream) from = NULL;
  GPid pid;
  int in_fd, out_fd;
  int status;

  g_spawn_async_with_pipes (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD,
                            die_with_parent, NULL, &pid, &in_fd, &out_fd, NULL, &error);
  g_assert_no_error (error);
  to = g_unix_output_stream_new (in_fd, TRUE);
  {
    g_autoptr(GInputStream) raw = g_unix_input_stream_new (out_fd, TRUE);

    from = g_data_input_stream_new (raw);
  }

  {
    g_autofree char *before = helper_list (from, to);

    g_assert_cmpstr (before, ==, "");
  }

  saned_start (f);
  {
    g_autofree char *up = helper_list (from, to);

    g_assert_cmpstr (up, ==, "net:127.0.0.1:test:0 net:127.0.0.1:test:1");
  }

  {
    g_autofree char *scanned = helper_ask (from, to, "scan " NET_DEVICE);

    g_assert_cmpstr (scanned, ==, "scanned 1");
  }

  /* Gone, and back: the net backend's connection from before is dead both times. SANE's net
   * backend aborted the program on this second listing before the worker re-initialised it. */
  saned_stop (f);
  {
    g_autofree char *down = helper_list (from, to);

    g_assert_cmpstr (down, ==, "");
  }
  saned_start (f);
  {
    g_autofree char *again = helper_list (from, to);

    g_assert_cmpstr (again, ==, "net:127.0.0.1:test:0 net:127.0.0.1:test:1");
  }

  /* A scan after saned restarted, without a listing in between, reconnects too. */
  saned_stop (f);
  saned_start (f);
  {
    g_autofree char *scanned = helper_ask (from, to, "scan " NET_DEVICE);

    g_assert_cmpstr (scanned, ==, "scanned 1");
  }

  g_output_stream_close (to, NULL, NULL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

static void
test_no_saned (void)
{
  g_test_skip ("saned is not installed (package sane-utils)");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  /* Orphans of saned (its per-connection processes) become our children, to be reaped. */
  prctl (PR_SET_CHILD_SUBREAPER, 1);

  saned_path = g_find_program_in_path ("saned");
  if (saned_path == NULL && g_file_test ("/usr/sbin/saned", G_FILE_TEST_IS_EXECUTABLE))
    saned_path = g_strdup ("/usr/sbin/saned");

  if (saned_path == NULL)
    {
      g_test_add_func ("/acquire/saned/not-installed", test_no_saned);
      return g_test_run ();
    }

#define ADD(path, func, start) \
  g_test_add (path, Fixture, GINT_TO_POINTER (start), fixture_setup, func, fixture_teardown)
  ADD ("/acquire/saned/devices", test_devices, TRUE);
  ADD ("/acquire/saned/scan-adf", test_scan_adf, TRUE);
  ADD ("/acquire/saned/scan-profile", test_scan_profile, TRUE);
  ADD ("/acquire/saned/fault-over-network", test_fault_over_network, TRUE);
  ADD ("/acquire/saned/server-gone", test_server_gone, TRUE);
  ADD ("/acquire/saned/refresh", test_refresh, FALSE);
#undef ADD

  return g_test_run ();
}
