/* pe-test-common.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pe-test-common.h"

char *
pe_test_mkdtemp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("pe-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
rm_rf (GFile *file)
{
  g_autoptr(GFileEnumerator) e = NULL;

  e = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (e != NULL)
    {
      GFile *child;

      while (g_file_enumerator_iterate (e, NULL, &child, NULL, NULL) && child != NULL)
        rm_rf (child);
    }
  g_file_delete (file, NULL, NULL);
}

void
pe_test_rmdir (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  rm_rf (file);
}

char *
pe_test_sample_page (const char *name)
{
  return g_build_filename (g_getenv ("PE_SOURCE_ROOT"), "data", "sample", "pages", name, NULL);
}

PIX *
pe_test_load_sample_page (const char *name)
{
  g_autofree char *path = pe_test_sample_page (name);
  PIX *pix = pixRead (path);

  g_assert_nonnull (pix);
  return pix;
}

PeOcrResult *
pe_test_load_ocr (const char *name)
{
  g_autofree char *path = pe_test_data_path (name);
  g_autofree char *tsv = NULL;
  g_autoptr(GError) error = NULL;
  PeOcrResult *ocr;

  g_file_get_contents (path, &tsv, NULL, &error);
  g_assert_no_error (error);
  ocr = pe_ocr_result_new_from_tsv (tsv, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pe_ocr_result_get_n_words (ocr), >, 50);
  return ocr;
}

char *
pe_test_data_path (const char *name)
{
  return g_build_filename (TEST_DATA_DIR, name, NULL);
}

char *
pe_test_tool_path (const char *name)
{
  const char *dir = g_getenv ("PE_TOOLS_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

int
pe_test_run (const char *const  *argv,
             char              **out,
             char              **err)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  /* Output nobody asked for must not end up in the test's TAP stream. */
  g_spawn_sync (NULL, (char **) argv, NULL,
                G_SPAWN_SEARCH_PATH | (out ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL) |
                (err ? 0 : G_SPAWN_STDERR_TO_DEV_NULL),
                NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);

  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + WTERMSIG (status);
}

int
pe_test_run_with_input (const char *const  *argv,
                        const char         *input,
                        char              **out,
                        char              **err)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out_text = NULL;
  g_autofree char *err_text = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                  G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, &out_text, &err_text, &error);
  g_assert_no_error (error);
  if (out != NULL)
    *out = g_steal_pointer (&out_text);
  if (err != NULL)
    *err = g_steal_pointer (&err_text);

  if (g_subprocess_get_if_exited (proc))
    return g_subprocess_get_exit_status (proc);
  return 128 + g_subprocess_get_term_sig (proc);
}

gboolean
pe_test_skip_unless_program (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  if (path == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("%s not installed", program);
      g_test_skip (msg);
      return TRUE;
    }
  return FALSE;
}

void
pe_test_put_be32 (guint8  *p,
                  guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}
