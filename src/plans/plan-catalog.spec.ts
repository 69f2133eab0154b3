import { PlanCatalog } from './plan-catalog.js';

describe('PlanCatalog', () => {
  const catalog = new PlanCatalog();

  it('holds the four plans with prices in cents', () => {
    expect(catalog.all().map((plan) => [plan.id, plan.priceCents])).toEqual([
      ['free', 0],
      ['starter', 999],
      ['pro', 2999],
      ['enterprise', 9999],
    ]);
  });

  it('gives each plan every feature of the plan below it', () => {
    const plans = catalog.all();
    for (let i = 1; i < plans.length; i++) {
      expect(plans[i].features).toEqual(expect.arrayContaining(plans[i - 1].features));
      expect(plans[i].monthlyCharacters).toBeGreaterThan(plans[i - 1].monthlyCharacters);
    }
  });

  it('treats enterprise as unlimited per hour and finds plans by id', () => {
    expect(catalog.get('enterprise').requestsPerHour).toBeNull();
    expect(catalog.find('pro')?.features).toContain('custom_models');
    expect(catalog.find('platinum')).toBeUndefined();
  });
});
