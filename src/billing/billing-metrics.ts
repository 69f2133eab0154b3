import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const PAYMENT_FAILURES = 'billing_payment_failures_total';

export const billingMetricProviders = [
  makeCounterProvider({
    name: PAYMENT_FAILURES,
    help: 'Invoice payments that failed (each invoice counted once)',
    labelNames: ['env'],
  }),
];
