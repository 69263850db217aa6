// @skiff/controllers: the controller manager and its controllers.
export {};
