// --authorization-mode's parsing and start-up warnings (pure).
import { authorizationModeWarnings, parseAuthorizationModes } from './modes.ts';

describe('parseAuthorizationModes', () => {
  test('an ordered chain, as given', () => {
    expect(parseAuthorizationModes('Node,RBAC')).toEqual(['Node', 'RBAC']);
    expect(parseAuthorizationModes('RBAC,Node')).toEqual(['RBAC', 'Node']);
    expect(parseAuthorizationModes(' AlwaysDeny , RBAC ')).toEqual(['AlwaysDeny', 'RBAC']);
    expect(parseAuthorizationModes(['AlwaysAllow'])).toEqual(['AlwaysAllow']);
  });

  test('an unknown mode is refused, naming it and the choices', () => {
    expect(() => parseAuthorizationModes('Node,rbac')).toThrow('authorization-mode "rbac" is not a valid mode (one of: Node,RBAC,AlwaysAllow,AlwaysDeny)');
  });

  test("Kubernetes' modes skiff does not build are refused as such", () => {
    expect(() => parseAuthorizationModes('RBAC,Webhook')).toThrow('authorization-mode "Webhook" is not supported by skiff (supported: Node,RBAC,AlwaysAllow,AlwaysDeny)');
    expect(() => parseAuthorizationModes('ABAC')).toThrow('authorization-mode "ABAC" is not supported by skiff');
  });

  test('a mode given twice is refused, with the list as kube-apiserver prints it', () => {
    expect(() => parseAuthorizationModes('RBAC,Node,RBAC')).toThrow('authorization-mode ["RBAC" "Node" "RBAC"] has mode specified more than once');
  });

  test('an empty chain is refused', () => {
    expect(() => parseAuthorizationModes('')).toThrow('at least one authorization-mode must be passed');
    expect(() => parseAuthorizationModes(' , ')).toThrow('at least one authorization-mode must be passed');
  });

  test('every problem is reported at once', () => {
    let message = '';
    try {
      parseAuthorizationModes('Foo,RBAC,RBAC');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('"Foo" is not a valid mode');
    expect(message).toContain('has mode specified more than once');
  });
});

describe('authorizationModeWarnings', () => {
  test('none for the default chain', () => {
    expect(authorizationModeWarnings(['Node', 'RBAC'])).toEqual([]);
  });

  test('AlwaysAllow is said loudly, with what comes before it', () => {
    const [w] = authorizationModeWarnings(['AlwaysAllow']);
    expect(w).toMatch(/^WARNING: .*every authenticated request is ALLOWED\. .*development only/i);
    expect(authorizationModeWarnings(['Node', 'AlwaysAllow'])[0]).toContain('every authenticated request that Node does not decide is ALLOWED');
  });

  test('a chain without RBAC says that roles grant nothing', () => {
    expect(authorizationModeWarnings(['Node'])).toEqual(['warning: --authorization-mode without RBAC: Roles, ClusterRoles and their bindings grant nothing']);
  });
});
