/* SPDX-License-Identifier: MIT */
/*
 * tf6_ephemeral: OpenEphemeralResource, RenewEphemeralResource and CloseEphemeralResource on the
 * frame of tf6.c. The private bytes (which may hold what is needed to revoke a secret) stay in
 * wiped buffers and the wiped response arena; renew_at is passed through as a Timestamp.
 */
#include <string.h>

#include "common/compat.h"
#include "common/err.h"
#include "framework/fw.h"
#include "framework/tf6_pb.h"

#define PRIV_MAX (1u << 20)

static const struct fw_ephemeral *ephemeral(struct tf6_req *q, const struct cty_type **t)
{
	return (const struct fw_ephemeral *)tf6_find(q, FW_KIND_EPHEMERAL, q->type_name, t);
}

int tf6_open_ephemeral_resource(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__OpenEphemeralResource__Request *rq = (const void *)req;
	Tfplugin6__OpenEphemeralResource__Response *rs = (void *)resp;
	const struct cty_type *t;
	const struct fw_ephemeral *e = ephemeral(q, &t);
	struct cty_value config, result;
	struct buf priv;
	int64_t renew_at = 0;

	if (!e)
		return 0;
	buf_init_secret(&priv, PRIV_MAX);
	cty_value_null(&result, t);
	if (dv_decode(rq->config, t, &config, "ephemeral resource configuration", &q->d) == 0 &&
	    fw_open_ephemeral(&q->ctx, e, &config, &result, &priv, &renew_at, &q->d) == 0) {
		rs->result = dv_encode(q->a, &result, t, &q->d);
		fw_ephemeral_opened(q->fw, e, (const uint8_t *)priv.data, priv.len);
		if (priv.len) {
			rs->_private_case = TFPLUGIN6__OPEN_EPHEMERAL_RESOURCE__RESPONSE___PRIVATE_PRIVATE;
			rs->private_ = bytes_pb(q->a, &priv);
		}
		if (renew_at > 0) {
			rs->_renew_at_case = TFPLUGIN6__OPEN_EPHEMERAL_RESOURCE__RESPONSE___RENEW_AT_RENEW_AT;
			rs->renew_at = timestamp_pb(q->a, renew_at);
		}
	}
	buf_release(&priv);
	cty_value_release(&config);
	cty_value_release(&result);
	return 0;
}

int tf6_renew_ephemeral_resource(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__RenewEphemeralResource__Request *rq = (const void *)req;
	Tfplugin6__RenewEphemeralResource__Response *rs = (void *)resp;
	const struct fw_ephemeral *e = ephemeral(q, NULL);
	const ProtobufCBinaryData *p = rq->_private_case ? &rq->private_ : NULL;
	struct buf priv;
	int64_t renew_at = 0;

	if (!e || !e->renew)
		return 0;
	buf_init_secret(&priv, PRIV_MAX);
	if (e->renew(&q->ctx, p ? p->data : NULL, p ? p->len : 0, &priv, &renew_at, &q->d) == 0 &&
	    !fw_diags_has_error(&q->d)) {
		if (priv.len) {
			fw_ephemeral_closed(q->fw, e, p ? p->data : NULL, p ? p->len : 0);
			fw_ephemeral_opened(q->fw, e, (const uint8_t *)priv.data, priv.len);
			rs->_private_case = TFPLUGIN6__RENEW_EPHEMERAL_RESOURCE__RESPONSE___PRIVATE_PRIVATE;
			rs->private_ = bytes_pb(q->a, &priv);
		}
		if (renew_at > 0) {
			rs->_renew_at_case = TFPLUGIN6__RENEW_EPHEMERAL_RESOURCE__RESPONSE___RENEW_AT_RENEW_AT;
			rs->renew_at = timestamp_pb(q->a, renew_at);
		}
	}
	buf_release(&priv);
	return 0;
}

int tf6_close_ephemeral_resource(struct tf6_req *q, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Tfplugin6__CloseEphemeralResource__Request *rq = (const void *)req;
	const struct fw_ephemeral *e = ephemeral(q, NULL);
	const ProtobufCBinaryData *p = rq->_private_case ? &rq->private_ : NULL;

	if (e && e->close) {
		fw_ephemeral_closed(q->fw, e, p ? p->data : NULL, p ? p->len : 0);
		e->close(&q->ctx, p ? p->data : NULL, p ? p->len : 0, &q->d);
	}
	return 0;
}
