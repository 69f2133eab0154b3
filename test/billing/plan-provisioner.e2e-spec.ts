import type { INestApplicationContext } from '@nestjs/common';
import { PlanProvisioner } from '../../src/billing/stripe/plan-provisioner.js';
import { startStripeEmulator, type StripeEmulator } from '../../src/stripe-emulator/emulator.js';
import { emulatorSettings, stripeContext } from '../support/stripe-context.js';

describe('plan provisioning', () => {
  let emulator: StripeEmulator;
  let app: INestApplicationContext;
  let provisioner: PlanProvisioner;
  const prices = () => Object.values(emulator.context.store.collection('prices'));

  beforeAll(async () => {
    emulator = await startStripeEmulator({ port: 0 });
    app = await stripeContext(emulatorSettings(emulator));
    provisioner = app.get(PlanProvisioner);
  });
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });

  it('creates the three plan prices, the meter and the metered overage price', async () => {
    const result = await provisioner.provision('api_characters');
    expect(result.created).toHaveLength(5);
    const byId = (id: string) => emulator.context.store.get('prices', id, 'price');
    expect([
      byId(result.prices.starter).unit_amount,
      byId(result.prices.pro).unit_amount,
      byId(result.prices.enterprise).unit_amount,
    ]).toEqual([999, 2999, 9999]);
    expect(byId(result.prices.starter).recurring).toMatchObject({ interval: 'month', usage_type: 'licensed' });
    const overage = byId(result.prices.overage);
    expect(overage).toMatchObject({
      unit_amount: 10,
      transform_quantity: { divide_by: 1000, round: 'up' },
      lookup_key: 'overage_per_1000_characters',
    });
    expect(overage.recurring).toMatchObject({ usage_type: 'metered', meter: result.meterId });
  });

  it('finds everything on a second run and creates nothing', async () => {
    const before = prices().length;
    const first = await provisioner.provision('api_characters');
    const second = await provisioner.provision('api_characters');
    expect(second.created).toEqual([]);
    expect(second.prices).toEqual(first.prices);
    expect(prices()).toHaveLength(before);
  });

  it('replaces a price whose amount no longer matches the plan, moving its lookup key', async () => {
    const stale = emulator.context.store.get(
      'prices',
      (await provisioner.provision('api_characters')).prices.pro,
      'price',
    );
    stale.unit_amount = 1999;
    const result = await provisioner.provision('api_characters');
    expect(result.prices.pro).not.toBe(stale.id);
    expect(emulator.context.store.get('prices', result.prices.pro, 'price')).toMatchObject({
      unit_amount: 2999,
      lookup_key: 'plan_pro_monthly',
    });
    expect(stale.lookup_key).toBeNull();
  });
});
