/* pe-sim-feeder.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pe-error.h"
#include "pe-sim-feeder.h"
#include "pe-types.h"

typedef struct
{
  char  *pnm_path;
  guint  dpi;
} Sheet;

struct _PeSimFeeder
{
  GObject  parent_instance;

  char    *dir;
  GArray  *sheets;   /* Sheet; immutable after construction, so the scan thread may read it */
};

G_DEFINE_FINAL_TYPE (PeSimFeeder, pe_sim_feeder, G_TYPE_OBJECT)

static void
sheet_clear (gpointer data)
{
  Sheet *sheet = data;

  g_free (sheet->pnm_path);
}

static void
pe_sim_feeder_finalize (GObject *object)
{
  PeSimFeeder *self = (PeSimFeeder *)object;

  for (guint i = 0; i < self->sheets->len; i++)
    g_unlink (g_array_index (self->sheets, Sheet, i).pnm_path);
  if (self->dir != NULL)
    g_rmdir (self->dir);

  g_clear_pointer (&self->sheets, g_array_unref);
  g_clear_pointer (&self->dir, g_free);

  G_OBJECT_CLASS (pe_sim_feeder_parent_class)->finalize (object);
}

static void
pe_sim_feeder_class_init (PeSimFeederClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pe_sim_feeder_finalize;
}

static void
pe_sim_feeder_init (PeSimFeeder *self)
{
  self->sheets = g_array_new (FALSE, TRUE, sizeof (Sheet));
  g_array_set_clear_func (self->sheets, sheet_clear);
}

/* The pnm backend reads P4 (1 bit), P5 (8 bit grey) and P6 (8 bit RGB) only: no colour maps,
 * no alpha, no 16 bit. */
static PIX *
pix_for_pnm (PIX *pix)
{
  g_autoptr(PIX) flat = NULL;
  g_autoptr(PIX) nocmap = NULL;
  PIX *src = pix;
  l_int32 d;

  if (pixGetColormap (src) != NULL)
    src = nocmap = pixRemoveColormap (src, REMOVE_CMAP_BASED_ON_SRC);
  if (src != NULL && pixGetDepth (src) == 32 && pixGetSpp (src) == 4)
    src = flat = pixAlphaBlendUniform (src, 0xffffff00);
  if (src == NULL)
    return NULL;

  d = pixGetDepth (src);
  if (d == 1 || d == 8)
    return pixClone (src);
  if (d == 32)
    {
      PIX *rgb = pixCopy (NULL, src);

      pixSetSpp (rgb, 3);
      return rgb;
    }
  if (d == 16)
    return pixConvert16To8 (src, L_MS_BYTE);
  return pixConvertTo8 (src, FALSE);
}

PeSimFeeder *
pe_sim_feeder_new (const char *const  *files,
                   GError            **error)
{
  g_autoptr(PeSimFeeder) self = NULL;

  g_return_val_if_fail (files != NULL, NULL);

  self = g_object_new (PE_TYPE_SIM_FEEDER, NULL);
  /* Short, private path: older pnm backends keep the file name in a 128-byte buffer. */
  self->dir = g_dir_make_tmp ("pe-sim-XXXXXX", error);
  if (self->dir == NULL)
    return NULL;

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(PIX) pix = NULL;
      g_autoptr(PIX) out = NULL;
      g_autofree char *name = g_strdup_printf ("p%04u.pnm", i + 1);
      Sheet sheet = { 0 };

      if (!g_file_test (files[i], G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                       _("File “%s” does not exist."), files[i]);
          return NULL;
        }

      pix = pixRead (files[i]);
      if (pix == NULL || (out = pix_for_pnm (pix)) == NULL)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT,
                       _("File “%s” could not be read as an image: check that it is a "
                         "complete PNG, TIFF or JPEG file."), files[i]);
          return NULL;
        }

      sheet.pnm_path = g_build_filename (self->dir, name, NULL);
      sheet.dpi = pixGetXRes (pix) > 0 ? (guint) pixGetXRes (pix) : 0;

      if (pixWrite (sheet.pnm_path, out, IFF_PNM) != 0)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_FAILED,
                       _("Could not write the simulated scan “%s”: check the space in the "
                         "temporary folder."), sheet.pnm_path);
          g_free (sheet.pnm_path);
          return NULL;
        }

      g_array_append_val (self->sheets, sheet);
    }

  return g_steal_pointer (&self);
}

guint
pe_sim_feeder_get_n_sheets (PeSimFeeder *self)
{
  g_return_val_if_fail (PE_IS_SIM_FEEDER (self), 0);

  return self->sheets->len;
}

const char *
pe_sim_feeder_get_pnm_path (PeSimFeeder *self,
                            guint        sheet)
{
  g_return_val_if_fail (PE_IS_SIM_FEEDER (self), NULL);
  g_return_val_if_fail (sheet >= 1 && sheet <= self->sheets->len, NULL);

  return g_array_index (self->sheets, Sheet, sheet - 1).pnm_path;
}

guint
pe_sim_feeder_get_dpi (PeSimFeeder *self,
                       guint        sheet)
{
  g_return_val_if_fail (PE_IS_SIM_FEEDER (self), 0);
  g_return_val_if_fail (sheet >= 1 && sheet <= self->sheets->len, 0);

  return g_array_index (self->sheets, Sheet, sheet - 1).dpi;
}

char **
pe_sim_feeder_sheet_func (guint    sheet,
                          gpointer feeder)
{
  PeSimFeeder *self = feeder;
  const Sheet *s;
  char **options;

  g_return_val_if_fail (PE_IS_SIM_FEEDER (self), NULL);

  if (sheet < 1 || sheet > self->sheets->len)
    return NULL;

  s = &g_array_index (self->sheets, Sheet, sheet - 1);
  options = g_new0 (char *, 3);
  options[0] = g_strdup_printf ("filename=%s", s->pnm_path);
  if (s->dpi > 0)
    options[1] = g_strdup_printf ("resolution=%u", s->dpi);

  return options;
}

void
pe_sim_feeder_fix_resolution (PeSimFeeder    *self,
                              PeAcquiredPage *page)
{
  guint dpi;

  g_return_if_fail (PE_IS_SIM_FEEDER (self));
  g_return_if_fail (page != NULL && page->pix != NULL);

  if (page->sheet < 1 || page->sheet > self->sheets->len)
    return;

  dpi = g_array_index (self->sheets, Sheet, page->sheet - 1).dpi;
  if (dpi > 0)
    pixSetResolution (page->pix, dpi, dpi);
}
