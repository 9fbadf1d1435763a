"""Webhooks for producers, after the Standard Webhooks specification.

- `events`: the event names a subscription may ask for, and `emit`, which the services call
  after their transaction to record one delivery per matching subscription and start a
  `DeliverWebhookJob` for each;
- `deliver`: the job's service: the message signed (`webhook-id`, `webhook-timestamp`,
  `webhook-signature`), POSTed under the fetch rules (no private addresses, vetted again at
  every attempt), each attempt logged, network errors, 408, 429 and 5xx retried with backoff.

Subscriptions and deliveries are stored by `podops.services.webhooks`; the API is
`podops.api.webhooks`.
"""
