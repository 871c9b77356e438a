/* `burrow dev show`: one link or every TUN/TAP link, as a readable block or as JSON whose keys
 * follow `ip -j` where they overlap (ifname, ifindex, mtu, address, addr_info) so scripts can
 * use either. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/cli.h"
#include "cmd/dev.h"
#include "vif/nl.h"

struct show_ctx {
	bool json;
	bool only_tuntap;
	int shown;
};

static const char *show_type(const struct nl_link_info *li)
{
	return li->kind == NL_KIND_TUN ? "tun" : li->kind == NL_KIND_TAP ? "tap" : "other";
}

/* JSON string: interface names may hold quotes and backslashes. */
static void show_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void show_mac(const struct nl_link_info *li, char *buf, size_t n)
{
	const uint8_t *m = li->mac;

	snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void show_json_addrs(const struct nl_link_info *li)
{
	char text[64];

	printf("\"addr_info\":[");
	for (size_t i = 0; i < li->n_addrs; i++) {
		const struct nl_addr *a = &li->addrs[i];

		if (nl_format_addr(a, false, text, sizeof(text)) < 0)
			continue;
		printf("%s{\"family\":\"%s\",\"local\":\"%s\",\"prefixlen\":%u}", i ? "," : "",
		       a->family == AF_INET ? "inet" : "inet6", text, a->prefix);
	}
	printf("]");
}

static void show_json_stats(const struct nl_link_stats *s)
{
	printf("\"stats\":{\"rx_packets\":%llu,\"rx_bytes\":%llu,\"rx_dropped\":%llu,"
	       "\"rx_errors\":%llu,\"tx_packets\":%llu,\"tx_bytes\":%llu,\"tx_dropped\":%llu,"
	       "\"tx_errors\":%llu}",
	       (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
	       (unsigned long long)s->rx_dropped, (unsigned long long)s->rx_errors,
	       (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
	       (unsigned long long)s->tx_dropped, (unsigned long long)s->tx_errors);
}

static void show_json_id(const char *key, bool has, uint32_t v)
{
	if (has)
		printf("\"%s\":%u,", key, v);
	else
		printf("\"%s\":null,", key);
}

static void show_json(const struct nl_link_info *li, bool first)
{
	char mac[32];

	printf("%s{\"ifname\":", first ? "" : ",");
	show_json_str(li->name);
	printf(",\"ifindex\":%d,\"type\":\"%s\",\"kind\":", li->ifindex, show_type(li));
	show_json_str(li->kind_name);
	printf(",\"up\":%s,\"running\":%s,\"mtu\":%u,", li->up ? "true" : "false",
	       li->running ? "true" : "false", li->mtu);
	if (li->has_mac) {
		show_mac(li, mac, sizeof(mac));
		printf("\"address\":\"%s\",", mac);
	} else {
		printf("\"address\":null,");
	}
	printf("\"persist\":%s,\"multi_queue\":%s,", li->persist ? "true" : "false",
	       li->multi_queue ? "true" : "false");
	show_json_id("owner", li->has_owner, li->owner);
	show_json_id("group", li->has_group, li->group);
	show_json_addrs(li);
	putchar(',');
	show_json_stats(&li->stats);
	putchar('}');
}

static void show_text(const struct nl_link_info *li)
{
	const struct nl_link_stats *s = &li->stats;
	char text[64];

	printf("%s: %s, %s%s, mtu %u", li->name, show_type(li), li->up ? "up" : "down",
	       li->running ? ", running" : "", li->mtu);
	if (li->persist)
		printf(", persistent");
	if (li->multi_queue)
		printf(", multiqueue");
	if (li->has_owner)
		printf(", owner %u", li->owner);
	if (li->has_group)
		printf(", group %u", li->group);
	printf("\n");
	if (li->has_mac) {
		show_mac(li, text, sizeof(text));
		printf("    mac %s\n", text);
	}
	for (size_t i = 0; i < li->n_addrs; i++)
		if (nl_format_addr(&li->addrs[i], true, text, sizeof(text)) == 0)
			printf("    %s %s\n", li->addrs[i].family == AF_INET ? "inet" : "inet6", text);
	printf("    rx: %llu packets, %llu bytes, %llu dropped, %llu errors\n",
	       (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
	       (unsigned long long)s->rx_dropped, (unsigned long long)s->rx_errors);
	printf("    tx: %llu packets, %llu bytes, %llu dropped, %llu errors\n",
	       (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
	       (unsigned long long)s->tx_dropped, (unsigned long long)s->tx_errors);
}

static int show_one(const struct nl_link_info *li, void *arg)
{
	struct show_ctx *c = arg;

	if (c->only_tuntap && li->kind == NL_KIND_OTHER)
		return 0;
	if (c->json)
		show_json(li, c->shown == 0);
	else
		show_text(li);
	c->shown++;
	return 0;
}

static int show_args(int argc, char **argv, struct show_ctx *c, const char **name)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			c->json = true;
		else if (argv[i][0] == '-')
			return cli_usage_error("dev", "show: unknown option '%s'", argv[i]);
		else if (*name)
			return cli_usage_error("dev", "show: one NAME at most");
		else
			*name = argv[i];
	}
	return CLI_OK;
}

int cmd_dev_show(int argc, char **argv)
{
	struct show_ctx c = { .only_tuntap = true };
	struct nl_link_info li;
	struct nl_err err;
	const char *name = NULL;
	int rc = show_args(argc, argv, &c, &name);

	if (rc != CLI_OK)
		return rc;
	if (name) {
		c.only_tuntap = false;
		rc = nl_link_index(name, &err);
		if (rc > 0)
			rc = nl_link_get(rc, &li, &err);
	}
	if (c.json)
		putchar('[');
	if (rc >= 0)
		rc = name ? show_one(&li, &c) : nl_link_foreach(show_one, &c, &err);
	if (c.json)
		printf("]\n");
	if (rc < 0) {
		fprintf(stderr, "burrow dev: %s\n", err.msg);
		return CLI_FAIL;
	}
	if (!c.json && !c.shown)
		printf("no TUN/TAP devices\n");
	return CLI_OK;
}
