/* api/names.h -- the bounds and rules of every client string that reaches Kafka or the schema
 * registry's topic, checked before any handle is made or anything is written (issue 19; Kafka
 * writes its strings with a 16-bit length: longer ones would be parsed as request fields).
 * Each check answers 422 (KR_ERR_UNPROCESSABLE) with a message naming the field, never
 * echoing the value. docs/design-notes.md, "Strings that reach Kafka".
 * May use: format/, util/. Threads: any. */
#ifndef KR_API_NAMES_H
#define KR_API_NAMES_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>

/* Kafka's topic names: 1..249 bytes of [a-zA-Z0-9._-], not "." nor "..". */
#define API_TOPIC_NAME_MAX 249
/* Consumer names (client ids), group ids and subjects: 1..255 bytes of UTF-8, no controls. */
#define API_ID_MAX 255
/* Kafka's offset.metadata.max.bytes default. */
#define API_COMMIT_METADATA_MAX 4096
/* Kafka's protocol strings (INT16 length): the longest id an existing group can have. */
#define API_KAFKA_STRING_MAX 32767
/* A subscription's topic_pattern. */
#define API_TOPIC_PATTERN_MAX 1024

/** @return whether s (n bytes) is a legal Kafka topic name. */
bool api_topic_name_valid(const char *s, size_t n);

/** @return whether s (n bytes) is well-formed UTF-8 (no overlongs, surrogates or NUL). */
bool api_utf8_valid(const char *s, size_t n);

/** @return whether s (n bytes) is well-formed UTF-8 without control characters (U+0000..U+001F,
 * U+007F..U+009F: Java's isISOControl, as Confluent Schema Registry checks subjects). */
bool api_text_valid(const char *s, size_t n);

/** @return whether s (n bytes) can be the id of something in Kafka (a group made by any
 * client): 1..API_KAFKA_STRING_MAX bytes of well-formed UTF-8 (Kafka's strings are Java
 * strings; librdkafka aborts when the broker answers for a group id other than the asked one,
 * as it does for invalid UTF-8). */
bool api_kafka_id_valid(const char *s, size_t n);

/** 422 "<field>: not a valid topic name ..." unless s is one. @return 0 or -1 with err set. */
int api_check_topic(const char *field, const char *s, size_t n, kr_err_t *err);

/** 422 "<field>: ..." unless s is 1..API_ID_MAX bytes of UTF-8 without control characters.
 * @return 0 or -1 with err set. */
int api_check_id(const char *field, const char *s, size_t n, kr_err_t *err);

#endif
