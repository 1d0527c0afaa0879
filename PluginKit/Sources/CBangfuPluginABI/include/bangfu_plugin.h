/*
 * bangfu help-type plugin ABI, version 1.
 *
 * A help type (帮扶项目) is a shared library named libbangfu-help-<id>.so in the plugins directory.
 * It exports one C symbol, BANGFU_HELP_TYPE_ENTRY ("bangfu_help_type_v1"), a function returning a
 * pointer to a static bangfu_help_type table. Everything else crosses as UTF-8 JSON bytes.
 *
 * Compatibility rules:
 * - abi_version changes only when a call changes meaning; the host refuses any other version.
 * - struct_size: tables only grow by appending fields. The host reads a field only when
 *   struct_size covers it; a plugin does the same with the host table.
 * - Buffers are owned by whoever allocated them and freed by its free_buffer.
 * - The host never unloads a plugin (dlclose of a Swift library crashes later): upgrade by restart.
 */
#ifndef BANGFU_PLUGIN_H
#define BANGFU_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BANGFU_PLUGIN_ABI_VERSION 1u
#define BANGFU_HELP_TYPE_ENTRY "bangfu_help_type_v1"
#define BANGFU_PLUGIN_FILE_PREFIX "libbangfu-help-"

/* Return codes of every call. */
#define BANGFU_OK 0
/* The call failed; *out holds {"code": "...", "zh": "...", "en": "..."}. */
#define BANGFU_ERROR 1

/* A byte buffer; data is NULL when len is 0. */
typedef struct bangfu_buffer {
    uint8_t *data;
    size_t len;
} bangfu_buffer;

/* Log levels for bangfu_host.log. */
#define BANGFU_LOG_DEBUG 0
#define BANGFU_LOG_INFO 1
#define BANGFU_LOG_WARNING 2
#define BANGFU_LOG_ERROR 3

/* Services the host offers a plugin. Valid for the life of the process. */
typedef struct bangfu_host {
    uint32_t abi_version;
    uint32_t struct_size;
    void *context;
    /* A log line from the plugin (UTF-8, no personal data). */
    void (*log)(void *context, int32_t level, const uint8_t *message, size_t len);
    /* This help type's configuration value for key as JSON; returns BANGFU_OK and fills *out,
       or BANGFU_ERROR when the key is not set (then the plugin uses its declared default).
       Free *out with free_buffer. */
    int32_t (*config_get)(void *context, const uint8_t *key, size_t key_len, bangfu_buffer *out);
    /* The host's clock (which a test or demo may have set), in Unix milliseconds. */
    int64_t (*now_unix_ms)(void *context);
    void (*free_buffer)(void *context, bangfu_buffer buffer);
} bangfu_host;

/* The table a plugin exports. */
typedef struct bangfu_help_type {
    uint32_t abi_version;
    uint32_t struct_size;
    /* Called once, before anything else, with the host table. */
    int32_t (*init)(const bangfu_host *host);
    /* The descriptor JSON: id, names, version, form fields, configuration keys, flags, ... */
    int32_t (*describe)(bangfu_buffer *out);
    /* A named method with a JSON request; version 1 defines "assess" (a batch). */
    int32_t (*call)(const uint8_t *method, size_t method_len, const uint8_t *request, size_t request_len,
                    bangfu_buffer *out);
    /* Frees a buffer this plugin filled. */
    void (*free_buffer)(bangfu_buffer buffer);
} bangfu_help_type;

/* The type of the entry symbol. */
typedef const bangfu_help_type *(*bangfu_help_type_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* BANGFU_PLUGIN_H */
