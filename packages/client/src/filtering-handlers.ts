// Handlers for the part of an informer's objects that a predicate selects, as client-go's
// FilteringResourceEventHandler: a component that follows two parts of one kind (the scheduler:
// pods bound to a node, and pods waiting for one) keeps one informer, one cache and one watch
// for both, instead of one field-selected watch each (ADR 0022).
import type { KubeObject } from '@skiff/api';
import type { EventHandlers } from './informer.ts';

/**
 * The handlers, told only of objects `selected` picks. An update that moves an object into the
 * selection is an add, one that moves it out a delete; the delete carries the object's new state,
 * as a watch with a selector sends it (client-go passes the old one).
 */
export function filteringHandlers<T extends KubeObject>(selected: (obj: T) => boolean, handlers: EventHandlers<T>): EventHandlers<T> {
  return {
    onAdd: (obj) => {
      if (selected(obj)) handlers.onAdd?.(obj);
    },
    onUpdate: (oldObj, newObj) => {
      const was = selected(oldObj);
      const is = selected(newObj);
      if (was && is) handlers.onUpdate?.(oldObj, newObj);
      else if (is) handlers.onAdd?.(newObj);
      else if (was) handlers.onDelete?.(newObj);
    },
    onDelete: (obj) => {
      if (selected(obj)) handlers.onDelete?.(obj);
    },
  };
}
