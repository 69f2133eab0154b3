export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

export const roleAtLeast = (role: Role, minimum: Role) => RANK[role] >= RANK[minimum];
