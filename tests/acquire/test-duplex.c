/* test-duplex.c: sheets, sides and manual duplex collation (plain functions)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <locale.h>
#include <string.h>

#include "pe-acquired-page.h"
#include "pe-duplex.h"
#include "pe-error.h"

static void
test_sheet_for_page (void)
{
  static const struct { guint sheet; gboolean back; } duplex[] = {
    { 1, FALSE }, { 1, TRUE }, { 2, FALSE }, { 2, TRUE }, { 3, FALSE }, { 3, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (duplex); i++)
    {
      guint sheet = 0;
      gboolean back = TRUE;

      pe_duplex_sheet_for_page (i, TRUE, &sheet, &back);
      g_assert_cmpuint (sheet, ==, duplex[i].sheet);
      g_assert_cmpint (back, ==, duplex[i].back);

      pe_duplex_sheet_for_page (i, FALSE, &sheet, &back);
      g_assert_cmpuint (sheet, ==, i + 1);
      g_assert_false (back);
    }
}

static void
test_back_sheet (void)
{
  /* The turned stack feeds sheet 3's back first. */
  g_assert_cmpuint (pe_duplex_back_sheet (3, 0), ==, 3);
  g_assert_cmpuint (pe_duplex_back_sheet (3, 1), ==, 2);
  g_assert_cmpuint (pe_duplex_back_sheet (3, 2), ==, 1);
  g_assert_cmpuint (pe_duplex_back_sheet (3, 3), ==, 0);
  g_assert_cmpuint (pe_duplex_back_sheet (0, 0), ==, 0);
}

static void
test_collate_order (void)
{
  /* Feed order: fronts 1 3 5 (positions 0 1 2), backs 6 4 2 (positions 3 4 5). */
  const guint want[] = { 0, 5, 1, 4, 2, 3 };
  guint order[6] = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (pe_duplex_collate_order (3, 3, order, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (order, sizeof order, want, sizeof want);

  /* One sheet; and the empty run. */
  g_assert_true (pe_duplex_collate_order (1, 1, order, &error));
  g_assert_cmpuint (order[0], ==, 0);
  g_assert_cmpuint (order[1], ==, 1);
  g_assert_true (pe_duplex_collate_order (0, 0, NULL, &error));
  g_assert_no_error (error);
}

static void
test_collate_mismatch (void)
{
  static const guint cases[][2] = { { 3, 2 }, { 3, 4 }, { 0, 2 }, { 5, 0 }, { 2, 1 } };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      guint fronts = cases[c][0], backs = cases[c][1];
      g_autofree guint *order = g_new0 (guint, fronts + backs + 1);
      g_autoptr(GError) error = NULL;
      g_autofree char *want = NULL;

      g_assert_false (pe_duplex_collate_order (fronts, backs, order, &error));
      g_assert_error (error, PE_ERROR, PE_ERROR_SHEET_MISMATCH);
      want = g_strdup_printf ("The backs pass has %u sheet%s, but the fronts pass had %u: a "
                              "sheet was skipped, fed twice or is left in the feeder. All "
                              "pages are kept in the order they were scanned; check the stack, "
                              "then scan the backs again.", backs, backs == 1 ? "" : "s", fronts);
      g_assert_cmpstr (error->message, ==, want);
      /* Nothing is guessed: the pages stay in feed order. */
      for (guint i = 0; i < fronts + backs; i++)
        g_assert_cmpuint (order[i], ==, i);
    }
}

static PeAcquiredPage *
page_new (const char *name)
{
  PeAcquiredPage *page = g_new0 (PeAcquiredPage, 1);

  page->source = g_strdup (name);
  return page;
}

static void
page_free (gpointer data)
{
  pe_acquired_page_clear (data);
  g_free (data);
}

static void
test_collate_pages (void)
{
  const char *feed[] = { "p1", "p3", "p5", "p7", "p8", "p6", "p4", "p2" };
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func (page_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (feed); i++)
    g_ptr_array_add (pages, page_new (feed[i]));

  g_assert_true (pe_duplex_collate_pages (pages, 4, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < pages->len; i++)
    {
      PeAcquiredPage *page = g_ptr_array_index (pages, i);
      g_autofree char *want = g_strdup_printf ("p%u", i + 1);

      g_assert_cmpstr (page->source, ==, want);
      g_assert_cmpuint (page->sheet, ==, i / 2 + 1);
      g_assert_cmpint (page->back_side, ==, i % 2 == 1);
    }

  /* 4 fronts, 3 backs: error, array untouched. */
  g_ptr_array_set_size (pages, 0);
  for (guint i = 0; i < 7; i++)
    g_ptr_array_add (pages, page_new (feed[i]));
  g_assert_false (pe_duplex_collate_pages (pages, 4, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_SHEET_MISMATCH);
  g_assert_cmpuint (pages->len, ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      PeAcquiredPage *page = g_ptr_array_index (pages, i);

      g_assert_cmpstr (page->source, ==, feed[i]);
      g_assert_cmpuint (page->sheet, ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/acquire/duplex/sheet-for-page", test_sheet_for_page);
  g_test_add_func ("/acquire/duplex/back-sheet", test_back_sheet);
  g_test_add_func ("/acquire/duplex/collate-order", test_collate_order);
  g_test_add_func ("/acquire/duplex/collate-mismatch", test_collate_mismatch);
  g_test_add_func ("/acquire/duplex/collate-pages", test_collate_pages);

  return g_test_run ();
}
