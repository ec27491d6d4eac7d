/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "pe-application.h"
#include "pe-page-clean.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PeApplication) app = NULL;

  /* Before any thread: Leptonica's messages to the debug log, page buffers reused. */
  pe_clean_setup_process ();
  pe_application_init_i18n ();

  app = pe_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
