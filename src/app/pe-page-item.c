/* pe-page-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pe-page-item.h"

struct _PePageItem
{
  GObject       parent_instance;

  gint64        page_id;
  guint         number;
  char         *image_path;
  char         *label;
  GdkPaintable *thumbnail;
  double        aspect;

  guint         loading : 1;
  guint         failed : 1;
};

enum {
  PROP_0,
  PROP_PAGE_ID,
  PROP_NUMBER,
  PROP_IMAGE_PATH,
  PROP_LABEL,
  PROP_THUMBNAIL,
  PROP_ASPECT,
  PROP_LOADING,
  PROP_FAILED,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (PePageItem, pe_page_item, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

/* Until the image is decoded, tiles take the shape of an A4 sheet (1 : √2). */
#define A4_ASPECT (1.0 / G_SQRT2)

typedef struct
{
  char *path;
  int   width;
  int   height;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->path);
  g_free (data);
}

static void
pe_page_item_finalize (GObject *object)
{
  PePageItem *self = (PePageItem *)object;

  g_clear_pointer (&self->image_path, g_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_object (&self->thumbnail);

  G_OBJECT_CLASS (pe_page_item_parent_class)->finalize (object);
}

static void
pe_page_item_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PePageItem *self = PE_PAGE_ITEM (object);

  switch (prop_id)
    {
    case PROP_PAGE_ID:
      g_value_set_int64 (value, self->page_id);
      break;

    case PROP_NUMBER:
      g_value_set_uint (value, self->number);
      break;

    case PROP_IMAGE_PATH:
      g_value_set_string (value, self->image_path);
      break;

    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;

    case PROP_THUMBNAIL:
      g_value_set_object (value, self->thumbnail);
      break;

    case PROP_ASPECT:
      g_value_set_float (value, self->aspect);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_FAILED:
      g_value_set_boolean (value, self->failed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pe_page_item_class_init (PePageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pe_page_item_finalize;
  object_class->get_property = pe_page_item_get_property;

  properties [PROP_PAGE_ID] =
    g_param_spec_int64 ("page-id", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_NUMBER] =
    g_param_spec_uint ("number", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_IMAGE_PATH] =
    g_param_spec_string ("image-path", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_THUMBNAIL] =
    g_param_spec_object ("thumbnail", NULL, NULL, GDK_TYPE_PAINTABLE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* A float because GtkAspectFrame:ratio is one, so the tile binds it directly. */
  properties [PROP_ASPECT] =
    g_param_spec_float ("aspect", NULL, NULL, 0.01f, 100.0f, (float)A4_ASPECT,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_FAILED] =
    g_param_spec_boolean ("failed", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pe_page_item_init (PePageItem *self)
{
  self->aspect = A4_ASPECT;
}

PePageItem *
pe_page_item_new (gint64      page_id,
                  guint       number,
                  const char *image_path)
{
  PePageItem *self;

  g_return_val_if_fail (image_path != NULL, NULL);

  self = g_object_new (PE_TYPE_PAGE_ITEM, NULL);
  self->page_id = page_id;
  self->image_path = g_strdup (image_path);
  pe_page_item_set_number (self, number);

  return self;
}

void
pe_page_item_set_number (PePageItem *self,
                         guint       number)
{
  g_return_if_fail (PE_IS_PAGE_ITEM (self));

  if (self->number == number && self->label != NULL)
    return;

  self->number = number;
  g_free (self->label);
  /* Translators: caption under a page thumbnail */
  self->label = g_strdup_printf (_("Page %u"), number);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_NUMBER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LABEL]);
}

gint64
pe_page_item_get_page_id (PePageItem *self)
{
  g_return_val_if_fail (PE_IS_PAGE_ITEM (self), 0);

  return self->page_id;
}

guint
pe_page_item_get_number (PePageItem *self)
{
  g_return_val_if_fail (PE_IS_PAGE_ITEM (self), 0);

  return self->number;
}

const char *
pe_page_item_get_image_path (PePageItem *self)
{
  g_return_val_if_fail (PE_IS_PAGE_ITEM (self), NULL);

  return self->image_path;
}

GdkPaintable *
pe_page_item_get_thumbnail (PePageItem *self)
{
  g_return_val_if_fail (PE_IS_PAGE_ITEM (self), NULL);

  return self->thumbnail;
}

gboolean
pe_page_item_get_loading (PePageItem *self)
{
  g_return_val_if_fail (PE_IS_PAGE_ITEM (self), FALSE);

  return self->loading;
}

gboolean
pe_page_item_get_failed (PePageItem *self)
{
  g_return_val_if_fail (PE_IS_PAGE_ITEM (self), FALSE);

  return self->failed;
}

static void
set_loading (PePageItem *self,
             gboolean    loading)
{
  loading = !!loading;
  if (self->loading != loading)
    {
      self->loading = loading;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADING]);
    }
}

static void
load_thumbnail_worker (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  /* Decoding a 300 dpi A4 page takes a noticeable fraction of a second, so it never happens
   * on the main thread; only the small result crosses back. */
  pixbuf = gdk_pixbuf_new_from_file_at_scale (data->path, data->width, data->height, TRUE,
                                              &error);
  if (pixbuf == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  g_task_return_pointer (task, g_steal_pointer (&oriented), g_object_unref);
}

static void
load_thumbnail_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PePageItem *self = PE_PAGE_ITEM (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  pixbuf = g_task_propagate_pointer (G_TASK (result), &error);
  set_loading (self, FALSE);

  if (pixbuf == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("Cannot load thumbnail of %s: %s", self->image_path, error->message);
          self->failed = TRUE;
          g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FAILED]);
        }
      return;
    }

  g_clear_object (&self->thumbnail);
  self->thumbnail = GDK_PAINTABLE (gdk_texture_new_for_pixbuf (pixbuf));
  self->aspect = (double)gdk_pixbuf_get_width (pixbuf) / gdk_pixbuf_get_height (pixbuf);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ASPECT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_THUMBNAIL]);
}

void
pe_page_item_load_thumbnail (PePageItem   *self,
                             int           width,
                             int           height,
                             GCancellable *cancellable)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (PE_IS_PAGE_ITEM (self));
  g_return_if_fail (width > 0 && height > 0);

  if (self->loading)
    return;

  data = g_new0 (LoadData, 1);
  data->path = g_strdup (self->image_path);
  data->width = width;
  data->height = height;

  task = g_task_new (self, cancellable, load_thumbnail_cb, NULL);
  g_task_set_source_tag (task, pe_page_item_load_thumbnail);
  g_task_set_task_data (task, data, (GDestroyNotify)load_data_free);

  set_loading (self, TRUE);
  g_task_run_in_thread (task, load_thumbnail_worker);
}
