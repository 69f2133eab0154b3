import { PlanPrices } from '../../src/billing/stripe/plan-prices.js';
import { startStripeEmulator, type StripeEmulator } from '../../src/stripe-emulator/emulator.js';
import { emulatorSettings } from '../support/stripe-context.js';
import { startTestApp } from '../support/test-app.js';

describe('billing at start-up', () => {
  let emulator: StripeEmulator;
  beforeAll(async () => {
    emulator = await startStripeEmulator({ port: 0 });
  });
  afterAll(() => emulator.stop());

  it('provisions the plans into the emulator it was given and knows every price', async () => {
    const t = await startTestApp({}, undefined, emulatorSettings(emulator, { emulated: true }));
    const prices = t.app.get(PlanPrices);
    expect(prices.missing()).toEqual([]);
    const pro = prices.priceFor('pro')!;
    expect(emulator.context.store.get('prices', pro, 'price').unit_amount).toBe(2999);
    expect(prices.planForPrice(pro)).toBe('pro');
    expect(prices.planForPrice(prices.priceFor('overage')!)).toBeUndefined();
    await t.close();
  });

  it('with a real key but no configured prices, provisions nothing (stripe:setup is for that)', async () => {
    const before = Object.keys(emulator.context.store.collection('prices')).length;
    const t = await startTestApp({}, undefined, emulatorSettings(emulator, { emulated: false }));
    try {
      expect(t.app.get(PlanPrices).missing()).toEqual(['starter', 'pro', 'enterprise', 'overage']);
      expect(Object.keys(emulator.context.store.collection('prices'))).toHaveLength(before);
    } finally {
      await t.close();
    }
  });

  it('uses configured prices as they are', async () => {
    const t = await startTestApp(
      {
        STRIPE_PRICE_STARTER: 'price_a',
        STRIPE_PRICE_PRO: 'price_b',
        STRIPE_PRICE_ENTERPRISE: 'price_c',
        STRIPE_PRICE_OVERAGE: 'price_d',
      },
      undefined,
      emulatorSettings(emulator),
    );
    const prices = t.app.get(PlanPrices);
    expect([prices.priceFor('starter'), prices.planForPrice('price_c'), prices.missing()]).toEqual([
      'price_a',
      'enterprise',
      [],
    ]);
    await t.close();
  });
});
