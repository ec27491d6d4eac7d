/* sane-list-helper.c: lists SANE devices each time a line arrives on standard input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-saned runs this with its own SANE_CONFIG_DIR (SANE reads it once per process) to see
 * that asking pe_sane_list_devices_async() again in the same process — the app's "refresh" —
 * finds network scanners that appeared or went away since the last time. Prints the device
 * names of each listing on one line, separated by spaces, or "error: …". A line
 * "scan DEVICE" scans one page from DEVICE instead and prints "scanned N" or "error: …".
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>

#include "pe-sane-device.h"
#include "pe-scanner.h"

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
count_page (PeAcquiredPage  *page,
            gpointer         user_data,
            GError         **error)
{
  return TRUE;
}

static void
scan_one (const char *device)
{
  g_autoptr(PeScanner) scanner = pe_scanner_new (device);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PeScanOptions options = { .resolution = 50, .max_pages = 1 };
  guint n;

  pe_scanner_scan_async (scanner, &options, NULL, count_page, NULL, NULL, store_result,
                         &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  n = pe_scanner_scan_finish (scanner, result, &error);
  if (error != NULL)
    printf ("error: %s\n", error->message);
  else
    printf ("scanned %u\n", n);
  fflush (stdout);
}


int
main (int   argc,
      char *argv[])
{
  char line[256];

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) devices = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) out = g_string_new (NULL);

      if (g_str_has_prefix (line, "scan "))
        {
          scan_one (g_strstrip (line + 5));
          continue;
        }

      pe_sane_list_devices_async (FALSE, NULL, store_result, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);

      devices = pe_sane_list_devices_finish (result, &error);
      if (devices == NULL)
        {
          printf ("error: %s\n", error->message);
          fflush (stdout);
          continue;
        }
      for (guint i = 0; i < devices->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          g_string_append (out, ((PeDeviceInfo *) g_ptr_array_index (devices, i))->name);
        }
      printf ("%s\n", out->str);
      fflush (stdout);
    }

  return 0;
}
