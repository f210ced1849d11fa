"""The ndxp-sim gateway: tokens, routing to adapters, the exchange log, metaservices and operator tools."""
